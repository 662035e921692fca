using k8s.Models;
using Skiff.Client.Runtime;
using TrainingOperator.Api;

namespace TrainingOperator.Controllers;

/// <summary>Registers the TrainingJob controller with a manager: <c>For&lt;TrainingJob&gt;().Owns&lt;V1Pod&gt;().Owns&lt;V1Service&gt;()</c>.</summary>
public static class TrainingJobController
{
    /// <summary>The component name on the controller's events.</summary>
    public const string Component = "trainingjob-operator";

    /// <summary>Adds the controller to <paramref name="manager"/> (before it runs).</summary>
    public static Controller Register(Manager manager, int workers = 2)
    {
        var recorder = manager.CreateEventRecorder(Component);
        return manager.CreateController()
            .Named("trainingjob")
            .For<TrainingJob>()
            .Owns<V1Pod>()
            .Owns<V1Service>()
            .WithWorkers(workers)
            .Complete(new TrainingJobReconciler(manager, recorder));
    }
}
