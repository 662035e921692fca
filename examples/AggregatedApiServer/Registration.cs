using System.Text;

namespace Skiff.Examples.AggregatedApiServer;

/// <summary>The objects that register the sample with an API server: a namespace, an ExternalName Service and the APIService.</summary>
public static class Registration
{
    /// <summary>
    /// YAML for namespace <paramref name="ns"/>, Service <paramref name="service"/> of type ExternalName pointing at
    /// localhost (a backend outside the cluster, on the API server's host), and APIService
    /// <c>v1alpha1.wardle.example.com</c> on port <paramref name="port"/> trusting <paramref name="caPem"/>.
    /// </summary>
    public static string Yaml(string ns, string service, int port, string caPem) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {service}
          namespace: {ns}
        spec:
          type: ExternalName
          externalName: localhost
          ports:
          - port: {port}
        ---
        apiVersion: apiregistration.k8s.io/v1
        kind: APIService
        metadata:
          name: {WardleServer.Version}.{WardleServer.Group}
        spec:
          group: {WardleServer.Group}
          version: {WardleServer.Version}
          groupPriorityMinimum: 1000
          versionPriority: 15
          service:
            namespace: {ns}
            name: {service}
            port: {port}
          caBundle: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))}
        """;
}
