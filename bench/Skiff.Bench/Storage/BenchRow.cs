namespace Skiff.Bench.Storage;

/// <summary>One measured line of the storage benchmark, with the raw engine's rates beside it when they apply.</summary>
/// <param name="Metric">What was measured.</param>
/// <param name="Backend">The backend name.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="RawSingle">The raw engine's comparable rate: one durable commit per write (or its point-read rate).</param>
/// <param name="RawBatched">The raw engine's batched-commit write rate.</param>
public sealed record BenchRow(string Metric, string Backend, double Value, string Unit, double? RawSingle = null, double? RawBatched = null);
