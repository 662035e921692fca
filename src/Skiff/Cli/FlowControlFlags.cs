using System.CommandLine;
using Skiff.ApiServer.FlowControl;

namespace Skiff.Cli;

/// <summary>
/// The API Priority and Fairness flags of <c>skiff up</c> and <c>skiff apiserver</c>, as upstream's:
/// <c>--enable-priority-and-fairness</c> (default true), <c>--max-requests-inflight</c> (400) and
/// <c>--max-mutating-requests-inflight</c> (200), whose sum is the server's concurrency limit.
/// </summary>
internal sealed class FlowControlFlags
{
    private readonly Option<bool> _enabled = SkiffCommand.Bool("--enable-priority-and-fairness",
        "Classify and limit requests with the FlowSchemas and PriorityLevelConfigurations (API Priority and Fairness).", true);

    private readonly Option<int> _maxInflight = Limit("--max-requests-inflight", 400,
        "Concurrency limit share of non-mutating requests; with --max-mutating-requests-inflight it is the server's total, split among the priority levels.");

    private readonly Option<int> _maxMutating = Limit("--max-mutating-requests-inflight", 200,
        "Concurrency limit share of mutating requests; added to --max-requests-inflight.");

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_enabled);
        command.Options.Add(_maxInflight);
        command.Options.Add(_maxMutating);
    }

    /// <summary>The settings the flags give.</summary>
    public FlowControlSettings Read(ParseResult r) => new()
    {
        Enabled = r.GetValue(_enabled),
        MaxRequestsInflight = r.GetValue(_maxInflight),
        MaxMutatingRequestsInflight = r.GetValue(_maxMutating),
    };

    private static Option<int> Limit(string name, int value, string description)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => value };
        option.Validators.Add(o =>
        {
            if (o.GetValueOrDefault<int>() < 0)
            {
                o.AddError($"{name} must be a non-negative integer");
            }
        });
        return option;
    }
}
