namespace Skiff.Kubelet.Logs;

/// <summary>
/// One line of a CRI log file (<c>2016-10-06T00:17:09.669794202Z stdout F message</c>): its time, stream, whether it is
/// a partial line (tag <c>P</c>, to be joined with the following ones) and its content. A full line's content keeps its
/// trailing newline; a partial line's content has none (upstream's <c>parseCRILog</c>).
/// </summary>
/// <param name="Timestamp">When the runtime wrote the line (to .NET's 100 ns).</param>
/// <param name="TimestampText">The timestamp as written (nanoseconds), for <c>timestamps=true</c> output.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Partial">Whether the line continues in the next one.</param>
/// <param name="Content">The message bytes.</param>
public readonly record struct CriLogLine(DateTimeOffset Timestamp, ReadOnlyMemory<byte> TimestampText, CriLogStream Stream, bool Partial, ReadOnlyMemory<byte> Content);
