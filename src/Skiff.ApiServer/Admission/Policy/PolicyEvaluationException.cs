namespace Skiff.ApiServer.Admission.Policy;

/// <summary>A policy expression that could not be evaluated (the policy's failurePolicy decides what follows).</summary>
public sealed class PolicyEvaluationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyEvaluationException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyEvaluationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyEvaluationException(string message)
        : base(message)
    {
    }
}
