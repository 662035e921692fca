using Microsoft.Extensions.DependencyInjection;
using Skiff.Client.Runtime;

namespace Skiff.Client.Hosting;

/// <summary>Resolves <typeparamref name="TReconciler"/> in a fresh DI scope for each reconcile and disposes the scope after it.</summary>
internal sealed class ScopedReconciler<TReconciler>(IServiceScopeFactory scopes) : IReconciler
    where TReconciler : class, IReconciler
{
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await scope.ServiceProvider.GetRequiredService<TReconciler>().ReconcileAsync(request, ct).ConfigureAwait(false);
        }
    }
}
