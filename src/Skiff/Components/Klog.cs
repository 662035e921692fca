using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skiff.Components;

/// <summary>
/// klog's <c>-v N</c> as Microsoft.Extensions.Logging levels: errors, warnings and V(0)/V(1) info always show
/// (Information); <c>-v 2</c> to <c>-v 4</c> add Debug; <c>-v 5</c> and above add Trace. Framework categories
/// (Microsoft.*, System.*) stay at Warning below <c>-v 6</c>.
/// </summary>
internal static class Klog
{
    public static LogLevel MinimumLevel(int verbosity) => verbosity switch
    {
        < 2 => LogLevel.Information,
        < 5 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    /// <summary>Logging to stderr, one line per entry with a UTC timestamp, as klog does.</summary>
    public static void Configure(ILoggingBuilder logging, int verbosity)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, MinimumLevel(verbosity));
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(MinimumLevel(verbosity));
        if (verbosity < 6)
        {
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("System", LogLevel.Warning);
        }

        // A start failure is reported once, as "error: ..." on stderr, with exit code 1.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }
}
