using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// The audit step of the handler chain (upstream's <c>WithAuditInit</c> and <c>WithAudit</c>): every response gets
/// an <c>Audit-Id</c> header (the request's <c>Audit-ID</c> when it sent one); with a policy and a log, the request's
/// <see cref="AuditContext"/> is made current, the policy is evaluated once the caller is authenticated, and the
/// stages are logged — RequestReceived then, ResponseStarted when a long-running request (watch, exec, attach,
/// port-forward, proxy) starts answering, ResponseComplete when it ends, Panic when the handler threw. Level Request
/// adds the decoded request body, RequestResponse the response body.
/// </summary>
public sealed class AuditPipeline(AuditPolicy? policy, AuditLogWriter? log, TimeProvider clock)
{
    /// <summary>The response header carrying the audit ID.</summary>
    public const string AuditIdHeader = "Audit-Id";

    private const int MaxCapturedBytes = 3 * 1024 * 1024;

    /// <summary>Whether events are logged.</summary>
    public bool Enabled => policy is not null && log is not null;

    /// <summary>Runs <paramref name="next"/> for the request with auditing around it.</summary>
    public async Task HandleAsync(HttpContext ctx, RequestDelegate next)
    {
        var id = ctx.Request.Headers["Audit-ID"].ToString();
        if (id.Length == 0 || id.Length > 64 || id.Any(char.IsControl))
        {
            id = Store.Uids.New();
        }

        ctx.Response.Headers[AuditIdHeader] = id;
        if (policy is null || log is null)
        {
            await next(ctx).ConfigureAwait(false);
            return;
        }

        var info = RequestInfo.Parse(ctx.Request.Method, ctx.Request.Path.Value ?? "/", QueryParameters.Bool(ctx.Request.Query, "watch"));
        CaptureStream? capture = null;
        var audit = new AuditContext(id, info, clock.GetUtcNow(), a =>
        {
            Evaluate(a);
            if (a.Level >= AuditLevel.Request && HasBody(ctx))
            {
                ctx.Request.EnableBuffering();
            }

            if (a.Level >= AuditLevel.RequestResponse && !IsLongRunning(info))
            {
                capture = new CaptureStream(ctx.Response.Body, MaxCapturedBytes);
                ctx.Response.Body = capture;
            }

            Emit(a, ctx, "RequestReceived", null, null, null);
        });
        AuditContext.Current = audit;
        if (IsLongRunning(info))
        {
            ctx.Response.OnStarting(() =>
            {
                Emit(audit, ctx, "ResponseStarted", ctx.Response.StatusCode, null, null);
                return Task.CompletedTask;
            });
        }

        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Evaluate(audit);
            Emit(audit, ctx, "Panic", 500, null, null);
            throw;
        }
        finally
        {
            AuditContext.Current = null;
        }

        Evaluate(audit);
        if (audit.Level == AuditLevel.None || audit.OmitStages.Contains("ResponseComplete"))
        {
            return;
        }

        var requestObject = audit.Level >= AuditLevel.Request ? await RequestObjectAsync(ctx).ConfigureAwait(false) : null;
        var responseObject = capture is { Overflowed: false, Length: > 0 } ? Decode(capture.Captured, ctx.Response.ContentType) : null;
        Emit(audit, ctx, "ResponseComplete", ctx.Response.StatusCode, requestObject, responseObject);
    }

    private void Evaluate(AuditContext audit)
    {
        if (audit.Evaluated)
        {
            return;
        }

        var (level, omit, omitManagedFields) = policy!.Evaluate(audit.User, audit.Info);
        audit.Level = level;
        audit.OmitStages = omit;
        audit.OmitManagedFields = omitManagedFields;
        audit.Evaluated = true;
    }

    private void Emit(AuditContext audit, HttpContext ctx, string stage, int? code, JsonNode? requestObject, JsonNode? responseObject)
    {
        if (audit.Level == AuditLevel.None || audit.OmitStages.Contains(stage))
        {
            return;
        }

        log!.Write(AuditEvents.Build(audit, ctx, stage, clock.GetUtcNow(), code, requestObject, responseObject).ToJsonString());
    }

    private static bool HasBody(HttpContext ctx) =>
        HttpMethods.IsPost(ctx.Request.Method) || HttpMethods.IsPut(ctx.Request.Method) || HttpMethods.IsPatch(ctx.Request.Method)
        || HttpMethods.IsDelete(ctx.Request.Method);

    private static bool IsLongRunning(RequestInfo info) =>
        info.Verb is "watch" || info.Subresource is "exec" or "attach" or "portforward" or "proxy" or "log";

    private static async Task<JsonNode?> RequestObjectAsync(HttpContext ctx)
    {
        if (!HasBody(ctx) || !ctx.Request.Body.CanSeek)
        {
            return null;
        }

        try
        {
            ctx.Request.Body.Position = 0;
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms).ConfigureAwait(false);
            return ms.Length == 0 ? null : Decode(ms.ToArray(), ctx.Request.ContentType);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    private static JsonNode? Decode(byte[] body, string? contentType)
    {
        var essence = MediaType.Parse(contentType ?? "application/json")?.Essence ?? "";
        IContentDecoder decoder = essence switch
        {
            "application/yaml" or "application/apply-patch+yaml" => YamlContentDecoder.Instance,
            "application/vnd.kubernetes.protobuf" => ProtobufContentDecoder.Instance,
            _ => JsonContentDecoder.Instance,
        };
        try
        {
            return decoder.Decode(body);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or Skiff.Api.Errors.StatusException or FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
