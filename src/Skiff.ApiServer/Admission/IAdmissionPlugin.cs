namespace Skiff.ApiServer.Admission;

/// <summary>An admission plugin (upstream's <c>admission.Interface</c>): its name and which requests it looks at.</summary>
public interface IAdmissionPlugin
{
    /// <summary>The plugin's name as <c>--enable-admission-plugins</c> spells it (<c>NamespaceLifecycle</c>…).</summary>
    string Name { get; }

    /// <summary>Whether the plugin looks at requests of <paramref name="operation"/> (upstream's <c>Handles</c>).</summary>
    bool Handles(AdmissionOperation operation);
}
