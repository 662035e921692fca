using Skiff.ApiServer.Registry;

namespace Skiff;

/// <summary>The resources the binary serves: the built-in catalogue.</summary>
internal static class Catalogue
{
    public static IEnumerable<ResourceDescriptor> Resources => BuiltInResources.Create(new BuiltInResourceOptions());
}
