namespace Skiff.Testing;

/// <summary>kubectl exited non-zero (see <see cref="Kubectl.OkAsync"/>).</summary>
public sealed class KubectlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubectlException(string message, int exitCode, string standardError)
        : base(message)
    {
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>kubectl's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>What kubectl wrote to stderr.</summary>
    public string StandardError { get; }
}
