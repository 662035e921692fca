using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>A scheduler plugin (upstream <c>framework.Plugin</c>); it implements one or more extension-point interfaces.</summary>
public interface IPlugin
{
    string Name { get; }
}
