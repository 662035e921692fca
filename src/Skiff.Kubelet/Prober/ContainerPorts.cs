using System.Globalization;
using k8s.Models;
using Skiff.Api.Validation;

namespace Skiff.Kubelet.Prober;

/// <summary>Upstream <c>probe.ResolveContainerPort</c>: a probe's port by number, or by the name of one of the container's ports.</summary>
internal static class ContainerPorts
{
    /// <summary>
    /// The port number; false with upstream's message when the name is unknown or the number is out of range. The JSON
    /// model keeps an int-or-string as text either way: digits are a number (port names must hold a letter).
    /// </summary>
    public static bool TryResolve(IntOrString? port, V1Container container, out int number, out string error)
    {
        error = string.Empty;
        var text = port?.Value ?? string.Empty;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            var named = container.Ports?.FirstOrDefault(p => p.Name == text);
            if (named is null)
            {
                number = -1;
                error = $"strconv.Atoi: parsing {GoFormat.Quote(text)}: invalid syntax";
                return false;
            }

            number = named.ContainerPort;
        }

        if (number is > 0 and < 65536)
        {
            return true;
        }

        error = $"invalid port number: {number}";
        return false;
    }
}
