using Skiff.ApiServer.Registry;

namespace Skiff;

/// <summary>The resources the binary serves.</summary>
internal static class Catalogue
{
    // INTERIM: replaced by the resources helper's BuiltInResources catalogue when it lands in main.
    public static IEnumerable<ResourceDescriptor> Resources => Skiff.ApiServer.Interim.InterimResources.All;
}
