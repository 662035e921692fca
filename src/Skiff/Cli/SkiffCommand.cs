using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Skiff.Cli;

/// <summary>
/// The <c>skiff</c> command line (System.CommandLine): <c>up</c> (storage, API server, controller manager, scheduler
/// and, with <c>--hollow-nodes</c>, hollow nodes in one process), <c>apiserver</c> (the API server alone),
/// <c>controller-manager</c>, <c>scheduler</c> and <c>kubelet</c> (real, or <c>--hollow</c>) (against any API server). Each has
/// <c>--help</c>; a bad flag is reported on stderr with exit code 2.
/// </summary>
internal static class SkiffCommand
{
    /// <summary>Exit code of a command-line error.</summary>
    public const int UsageError = 2;

    /// <summary>Builds the root command; <paramref name="run"/> receives what the chosen subcommand parsed.</summary>
    public static RootCommand Create(Func<ServerSettings, bool, CancellationToken, Task<int>> runServer,
        Func<ControllerManagerSettings, CancellationToken, Task<int>> runControllerManager,
        Func<SchedulerSettings, CancellationToken, Task<int>> runScheduler,
        Func<KubeletSettings, CancellationToken, Task<int>> runKubelet)
    {
        var root = new RootCommand("skiff: Kubernetes in C#, wire-compatible with upstream (kubectl 1.32 drives it unchanged).");
        root.Subcommands.Add(Server("up", "Run a local cluster in one process: storage, then the API server, the controller manager and the scheduler.", true, runServer));
        root.Subcommands.Add(Server("apiserver", "Run the API server alone (storage and API server, no controllers).", false, runServer));
        root.Subcommands.Add(ControllerManager(runControllerManager));
        root.Subcommands.Add(Scheduler(runScheduler));
        root.Subcommands.Add(Kubelet(runKubelet));
        return root;
    }

    private static Command Server(string name, string description, bool withControllers, Func<ServerSettings, bool, CancellationToken, Task<int>> run)
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Where certificates, admin.kubeconfig and (sqlite) data live (default: $SKIFF_DATA_DIR, else ~/.skiff).",
            HelpName = "DIR",
            DefaultValueFactory = _ => ServerSettings.DefaultDataDirectory(),
        };
        var port = new Option<int>("--port") { Description = "HTTPS port (0 = any free port).", HelpName = "N", DefaultValueFactory = _ => 6443 };
        var bindAddress = AddressOption("--bind-address", "The address to listen on (0.0.0.0: every interface, as upstream).", "0.0.0.0");
        var advertiseAddress = AddressOption("--advertise-address", "The address published in the default/kubernetes endpoints, which pods reach through the kubernetes Service (default: the bind address, or the host's default-route IPv4 address for 0.0.0.0).", null);
        ValidatePort(port);
        var storage = new Option<string>("--storage") { Description = "sqlite (DIR/skiff.db) | memory (lost on exit) | etcd.", HelpName = "KIND", DefaultValueFactory = _ => "sqlite" };
        storage.AcceptOnlyFromAmong("sqlite", "memory", "etcd");
        var etcdServers = new Option<string[]>("--etcd-servers")
        {
            Description = "Comma-separated etcd client URLs (with --storage etcd).",
            HelpName = "URLS",
            CustomParser = CommaList,
        };
        var tokenFile = new Option<string?>("--token-auth-file") { Description = "Static bearer tokens, CSV: token,user,uid,\"group1,group2\".", HelpName = "FILE" };
        var clientCaFile = new Option<string?>("--client-ca-file")
        {
            Description = "PEM bundle of further CAs: client certificates they sign authenticate (CN = user, O = groups), beside the cluster CA's.",
            HelpName = "FILE",
        };
        var watchCache = Bool("--watch-cache", "Serve lists and watches from an in-memory watch cache.", true);
        var controllers = ControllersOption();
        var verbosity = VerbosityOption();
        var hollowNodes = new Option<int>("--hollow-nodes") { Description = "Run N hollow nodes (kubelets without containers) after the controller manager.", HelpName = "N" };
        hollowNodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 48_000)
            {
                r.AddError($"invalid --hollow-nodes \"{r.GetValueOrDefault<int>()}\": must be 0..48000");
            }
        });
        var runtime = new Option<string>("--runtime")
        {
            Description = "The node: auto (containerd when available and root, else one hollow node), containerd (a real kubelet), hollow, none (a control plane only).",
            HelpName = "KIND",
            DefaultValueFactory = _ => "auto",
        };
        runtime.AcceptOnlyFromAmong("auto", "containerd", "hollow", "none");
        var criEndpoint = new Option<string?>("--container-runtime-endpoint")
        {
            Description = "A running CRI runtime (unix:///run/containerd/containerd.sock); default: start containerd under DIR/containerd.",
            HelpName = "ENDPOINT",
        };
        var rotateServerCertificates = Bool("--rotate-server-certificates",
            "The real kubelet gets its serving certificate from a kubernetes.io/kubelet-serving CSR (approve it with kubectl certificate approve) instead of from the cluster CA directly.", false);
        var (enableAdmission, disableAdmission) = AdmissionOptions();
        var dnsBind = DnsCommand.BindOption();
        var dnsDomain = DnsCommand.DomainOption();
        var dnsServiceIp = DnsCommand.ServiceIpOption();
        var command = new Command(name, description) { dataDir, port, bindAddress, advertiseAddress, storage, etcdServers, tokenFile, clientCaFile, watchCache, verbosity, enableAdmission, disableAdmission };
        var serviceAccounts = new ServiceAccountFlags();
        serviceAccounts.AddTo(command);
        var requestHeader = new RequestHeaderFlags();
        requestHeader.AddTo(command);
        var flowControl = new FlowControlFlags();
        flowControl.AddTo(command);
        var audit = new AuditFlags();
        audit.AddTo(command);
        if (withControllers)
        {
            command.Options.Add(controllers);
            command.Options.Add(hollowNodes);
            command.Options.Add(runtime);
            command.Options.Add(criEndpoint);
            command.Options.Add(rotateServerCertificates);
            command.Options.Add(dnsBind);
            command.Options.Add(dnsDomain);
            command.Options.Add(dnsServiceIp);
        }

        command.Validators.Add(r =>
        {
            if (!HasErrors(r, storage, etcdServers) && r.GetValue(storage) == "etcd" && (r.GetValue(etcdServers) ?? []).Length == 0)
            {
                r.AddError("--storage etcd needs --etcd-servers");
            }
        });
        command.SetAction((r, ct) => run(new ServerSettings
        {
            DataDirectory = Path.GetFullPath(r.GetValue(dataDir)!),
            Port = r.GetValue(port),
            BindAddress = System.Net.IPAddress.Parse(r.GetValue(bindAddress)!),
            AdvertiseAddress = r.GetValue(advertiseAddress) is { } advertise ? System.Net.IPAddress.Parse(advertise) : null,
            Storage = r.GetValue(storage)!,
            EtcdServers = r.GetValue(etcdServers) ?? [],
            TokenFile = r.GetValue(tokenFile) is { } f ? Path.GetFullPath(f) : null,
            ClientCaFile = r.GetValue(clientCaFile) is { } ca ? Path.GetFullPath(ca) : null,
            WatchCache = r.GetValue(watchCache),
            Controllers = withControllers ? UpControllers(r.GetValue(controllers)) : [],
            HollowNodes = withControllers ? r.GetValue(hollowNodes) : 0,
            Runtime = withControllers ? r.GetValue(runtime) ?? "auto" : "hollow",
            ContainerRuntimeEndpoint = withControllers ? r.GetValue(criEndpoint) : null,
            RotateServerCertificates = withControllers && r.GetValue(rotateServerCertificates),
            Dns = withControllers ? DnsCommand.FromUp(r, dnsBind, dnsDomain, dnsServiceIp) : null,
            Verbosity = r.GetValue(verbosity),
            ServiceAccountTokens = serviceAccounts.Read(r),
            EnableAdmissionPlugins = r.GetValue(enableAdmission) ?? [],
            DisableAdmissionPlugins = r.GetValue(disableAdmission) ?? [],
            RequestHeader = requestHeader.Read(r),
            FlowControl = flowControl.Read(r),
            Audit = audit.Read(r),
        }, withControllers, ct));
        return command;
    }

    /// <summary>An IP address flag; anything else is a usage error (<c>invalid --flag "x": not an IP address</c>).</summary>
    private static Option<string?> AddressOption(string name, string description, string? defaultValue)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "IP" };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !System.Net.IPAddress.TryParse(text, out _))
            {
                r.AddError($"invalid {name} \"{text}\": not an IP address");
            }
        });
        return option;
    }

    /// <summary>
    /// <c>--enable-admission-plugins</c> and <c>--disable-admission-plugins</c> (comma-separated, upstream's names); an
    /// unknown or overlapping name is a usage error with upstream's text.
    /// </summary>
    private static (Option<string[]> Enable, Option<string[]> Disable) AdmissionOptions()
    {
        var enable = new Option<string[]>("--enable-admission-plugins")
        {
            Description = "Admission plugins to turn on beside the defaults (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass, ResourceQuota…).",
            HelpName = "NAMES",
            CustomParser = CommaList,
        };
        var disable = new Option<string[]>("--disable-admission-plugins")
        {
            Description = "Admission plugins to turn off, defaults included.",
            HelpName = "NAMES",
            CustomParser = CommaList,
        };
        enable.Validators.Add(r => CheckAdmission(r, r.GetValueOrDefault<string[]>() ?? [], []));
        disable.Validators.Add(r => CheckAdmission(r, [], r.GetValueOrDefault<string[]>() ?? []));
        return (enable, disable);
    }

    private static void CheckAdmission(OptionResult r, string[] enable, string[] disable)
    {
        try
        {
            Skiff.ApiServer.Admission.AdmissionPluginCatalog.Resolve(enable, disable);
        }
        catch (ArgumentException e)
        {
            r.AddError(e.Message);
        }
    }

    private static Command ControllerManager(Func<ControllerManagerSettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var leaderElect = Bool("--leader-elect", "Run the controllers only while holding the Lease kube-system/kube-controller-manager.", true);
        var leaseDuration = Duration("--leader-elect-lease-duration", "How long a non-leader waits before taking an unrenewed Lease over.", TimeSpan.FromSeconds(15));
        var renewDeadline = Duration("--leader-elect-renew-deadline", "How long the leader retries renewing before it gives up.", TimeSpan.FromSeconds(10));
        var retryPeriod = Duration("--leader-elect-retry-period", "The pause between attempts to acquire or renew.", TimeSpan.FromSeconds(2));
        var controllers = ControllersOption();
        var metricsPort = new Option<int>("--metrics-port") { Description = "Serve /metrics and /healthz over HTTP on 127.0.0.1:N (0 = off).", HelpName = "N" };
        ValidatePort(metricsPort);
        var rootCa = new Option<string?>("--root-ca-file") { Description = "The CA bundle published as kube-root-ca.crt (default: the kubeconfig's CA).", HelpName = "FILE" };
        var qps = new Option<float>("--kube-api-qps") { Description = "Requests per second to the API server.", DefaultValueFactory = _ => 20 };
        var burst = new Option<int>("--kube-api-burst") { Description = "Burst of requests to the API server.", DefaultValueFactory = _ => 30 };
        var verbosity = VerbosityOption();
        var saKey = new Option<string?>("--service-account-private-key-file") { Description = "PEM RSA private key that signs legacy service-account token Secrets (serviceaccount-token runs only with it).", HelpName = "FILE" };
        var signingCert = new Option<string?>("--cluster-signing-cert-file") { Description = "PEM CA certificate csrsigning signs CSRs with (csrsigning runs only with it and the key).", HelpName = "FILE" };
        var signingKey = new Option<string?>("--cluster-signing-key-file") { Description = "PEM private key of --cluster-signing-cert-file.", HelpName = "FILE" };
        var signingDuration = Duration("--cluster-signing-duration", "The longest validity of signed certificates.", TimeSpan.FromDays(365));
        var command = new Command("controller-manager", "Run the controller manager against an API server (upstream's kube-controller-manager).")
        {
            kubeconfig, leaderElect, leaseDuration, renewDeadline, retryPeriod, controllers, metricsPort, rootCa, qps, burst, verbosity, saKey,
            signingCert, signingKey, signingDuration,
        };
        ValidateLeaderElection(command, leaseDuration, renewDeadline, retryPeriod);
        command.SetAction((r, ct) => run(new ControllerManagerSettings
        {
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            LeaderElect = r.GetValue(leaderElect),
            LeaseDuration = ValueOf(r.CommandResult, leaseDuration),
            RenewDeadline = ValueOf(r.CommandResult, renewDeadline),
            RetryPeriod = ValueOf(r.CommandResult, retryPeriod),
            Controllers = r.GetValue(controllers) ?? [],
            MetricsPort = r.GetValue(metricsPort),
            RootCaFile = r.GetValue(rootCa) is { } c ? Path.GetFullPath(c) : null,
            ServiceAccountPrivateKeyFile = r.GetValue(saKey) is { } sk ? Path.GetFullPath(sk) : null,
            ClusterSigningCertFile = r.GetValue(signingCert) is { } sc ? Path.GetFullPath(sc) : null,
            ClusterSigningKeyFile = r.GetValue(signingKey) is { } skf ? Path.GetFullPath(skf) : null,
            ClusterSigningDuration = ValueOf(r.CommandResult, signingDuration),
            Qps = r.GetValue(qps),
            Burst = r.GetValue(burst),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }

    private static Command Scheduler(Func<SchedulerSettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var config = new Option<string?>("--config") { Description = "A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file: profiles, plugins, weights, args.", HelpName = "FILE" };
        var leaderElect = Bool("--leader-elect", "Schedule only while holding the Lease kube-system/kube-scheduler.", true);
        var leaseDuration = Duration("--leader-elect-lease-duration", "How long a non-leader waits before taking an unrenewed Lease over.", TimeSpan.FromSeconds(15));
        var renewDeadline = Duration("--leader-elect-renew-deadline", "How long the leader retries renewing before it gives up.", TimeSpan.FromSeconds(10));
        var retryPeriod = Duration("--leader-elect-retry-period", "The pause between attempts to acquire or renew.", TimeSpan.FromSeconds(2));
        var metricsPort = new Option<int>("--metrics-port") { Description = "Serve /metrics and /healthz over HTTP on 127.0.0.1:N (0 = off).", HelpName = "N" };
        ValidatePort(metricsPort);
        var qps = new Option<float>("--kube-api-qps") { Description = "Requests per second to the API server.", DefaultValueFactory = _ => 50 };
        var burst = new Option<int>("--kube-api-burst") { Description = "Burst of requests to the API server.", DefaultValueFactory = _ => 100 };
        var verbosity = VerbosityOption();
        var command = new Command("scheduler", "Run the scheduler against an API server (upstream's kube-scheduler).")
        {
            kubeconfig, config, leaderElect, leaseDuration, renewDeadline, retryPeriod, metricsPort, qps, burst, verbosity,
        };
        ValidateLeaderElection(command, leaseDuration, renewDeadline, retryPeriod);
        command.SetAction((r, ct) => run(new SchedulerSettings
        {
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            ConfigFile = r.GetValue(config) is { } c ? Path.GetFullPath(c) : null,
            LeaderElect = r.GetValue(leaderElect),
            LeaseDuration = ValueOf(r.CommandResult, leaseDuration),
            RenewDeadline = ValueOf(r.CommandResult, renewDeadline),
            RetryPeriod = ValueOf(r.CommandResult, retryPeriod),
            MetricsPort = r.GetValue(metricsPort),
            Qps = r.GetValue(qps),
            Burst = r.GetValue(burst),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }

    private static Command Kubelet(Func<KubeletSettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var hollow = Bool("--hollow", "Run hollow nodes: kubelets that register, heartbeat and run pods without containers (kubemark/kwok).", false);
        var nodes = new Option<int>("--nodes") { Description = "How many hollow nodes.", HelpName = "N", DefaultValueFactory = _ => 1 };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 48_000)
            {
                r.AddError($"invalid --nodes \"{r.GetValueOrDefault<int>()}\": must be 1..48000");
            }
        });
        var prefix = new Option<string>("--node-name-prefix") { Description = "Node names are PREFIX0, PREFIX1…", HelpName = "PREFIX", DefaultValueFactory = _ => "hollow-" };
        var first = new Option<int>("--first-index") { Description = "Index of the first node (for several hollow processes on one cluster).", HelpName = "N" };
        var nodeTokens = new Option<string?>("--node-token-file")
        {
            Description = "With --hollow: the API server's token file (CSV); each node writes with its system:node:NAME line's token, as itself (kubemark's known_tokens.csv).",
            HelpName = "FILE",
        };
        var qps = new Option<float>("--kube-api-qps") { Description = "Requests per second to the API server (0 = unlimited).", DefaultValueFactory = _ => 0 };
        var burst = new Option<int>("--kube-api-burst") { Description = "Burst of requests to the API server.", DefaultValueFactory = _ => 100 };
        var nodeName = new Option<string?>("--node-name") { Description = "The node's name (default: the hostname, lowercased).", HelpName = "NAME" };
        var criEndpoint = new Option<string?>("--container-runtime-endpoint")
        {
            Description = "The CRI runtime (unix:///run/containerd/containerd.sock); default: start containerd under --root-dir.",
            HelpName = "ENDPOINT",
        };
        var rootDir = new Option<string>("--root-dir") { Description = "The kubelet's directory (volumes, logs, its containerd).", HelpName = "DIR", DefaultValueFactory = _ => "/var/lib/skiff-kubelet" };
        var podCidr = new Option<string>("--pod-cidr") { Description = "The node's pod CIDR when the Node has none.", HelpName = "CIDR", DefaultValueFactory = _ => "10.42.0.0/24" };
        var clusterDns = new Option<string?>("--cluster-dns") { Description = "The cluster DNS server for ClusterFirst pods.", HelpName = "IP" };
        var clusterDomain = DnsCommand.DomainOption();
        var kubeletPort = new Option<int>("--port") { Description = "The kubelet's port, published in the Node's daemonEndpoints.", HelpName = "N", DefaultValueFactory = _ => 10250 };
        var healthzPort = new Option<int>("--healthz-port") { Description = "The port of the plain-HTTP /healthz endpoint; 0 disables it.", HelpName = "N", DefaultValueFactory = _ => 10248 };
        var healthzBind = new Option<string>("--healthz-bind-address") { Description = "The address of the /healthz endpoint.", HelpName = "IP", DefaultValueFactory = _ => "127.0.0.1" };
        var verbosity = VerbosityOption();
        var bootstrapKubeconfig = new Option<string?>("--bootstrap-kubeconfig")
        {
            Description = "Kubeconfig with bootstrap credentials: when --kubeconfig holds no valid certificate, request one through a CSR and write --kubeconfig.",
            HelpName = "FILE",
        };
        var rotateServer = Bool("--rotate-server-certificates",
            "Get the kubelet's serving certificate from a kubernetes.io/kubelet-serving CSR (approved by an admin) and renew it before it expires.", false);
        var command = new Command("kubelet", "Run the kubelet against an API server: the real one on containerd, or hollow nodes (--hollow).")
        {
            kubeconfig, hollow, nodes, prefix, first, nodeName, criEndpoint, rootDir, podCidr, clusterDns, clusterDomain, kubeletPort, qps, burst, verbosity,
            bootstrapKubeconfig, rotateServer, healthzPort, healthzBind, nodeTokens,
        };
        command.Validators.Add(r =>
        {
            if (!HasErrors(r, hollow) && !r.GetValue(hollow) && r.GetResult(nodes) is { Implicit: false })
            {
                r.AddError("--nodes needs --hollow (the real kubelet is one node)");
            }

            if (r.GetValue(nodeTokens) is { } tokenFile && !HasErrors(r, hollow))
            {
                if (!r.GetValue(hollow))
                {
                    r.AddError("--node-token-file needs --hollow (the real kubelet authenticates with its client certificate)");
                }
                else if (!File.Exists(tokenFile))
                {
                    r.AddError($"--node-token-file \"{tokenFile}\": no such file");
                }
            }

            if (r.GetValue(podCidr) is { } cidr && !System.Net.IPNetwork.TryParse(cidr, out _))
            {
                r.AddError($"invalid --pod-cidr \"{cidr}\"");
            }

            if (r.GetValue(healthzBind) is { } bind && !System.Net.IPAddress.TryParse(bind, out _))
            {
                r.AddError($"invalid --healthz-bind-address \"{bind}\"");
            }

            if (r.GetValue(healthzPort) is < 0 or > 65535)
            {
                r.AddError("--healthz-port must be within 0..65535");
            }

            if (r.GetValue(first) < 0 || r.GetValue(first) + r.GetValue(nodes) > 48_000)
            {
                r.AddError("--first-index + --nodes must stay within 0..48000 (one /24 pod CIDR per node)");
            }
        });
        command.SetAction((r, ct) => run(new KubeletSettings
        {
            BootstrapKubeconfig = r.GetValue(bootstrapKubeconfig) is { } bk ? Path.GetFullPath(bk) : null,
            RotateServerCertificates = r.GetValue(rotateServer),
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            Hollow = r.GetValue(hollow),
            Nodes = r.GetValue(nodes),
            NodeNamePrefix = r.GetValue(prefix)!,
            FirstIndex = r.GetValue(first),
            NodeTokenFile = r.GetValue(nodeTokens) is { } tf ? Path.GetFullPath(tf) : null,
            NodeName = r.GetValue(nodeName),
            ContainerRuntimeEndpoint = r.GetValue(criEndpoint),
            RootDirectory = Path.GetFullPath(r.GetValue(rootDir)!),
            PodCidr = r.GetValue(podCidr)!,
            ClusterDns = r.GetValue(clusterDns),
            ClusterDomain = r.GetValue(clusterDomain)!,
            Port = r.GetValue(kubeletPort),
            HealthzPort = r.GetValue(healthzPort),
            HealthzBindAddress = System.Net.IPAddress.Parse(r.GetValue(healthzBind)!),
            Qps = r.GetValue(qps),
            Burst = r.GetValue(burst),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }

    /// <summary>
    /// <c>skiff up</c>'s controllers: as given, or every default one plus <c>tokencleaner</c> (off by default upstream;
    /// kubeadm and k3s turn it on because they create bootstrap tokens, as <c>skiff up</c> may).
    /// </summary>
    private static string[] UpControllers(string[]? given) => given is { Length: > 0 } ? given : ["*", "tokencleaner"];

    private static Option<string[]> ControllersOption() => new("--controllers")
    {
        Description = "Controllers to run: '*' (every one on by default), 'foo' (enable foo), '-foo' (disable foo); first match wins.",
        HelpName = "LIST",
        CustomParser = CommaList,
    };

    internal static Option<int> VerbosityOption()
    {
        var v = new Option<int>("--v", "-v") { Description = "klog verbosity: 0 = info, 2-4 = debug, 5+ = trace.", HelpName = "N" };
        v.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("-v must not be negative");
            }
        });
        return v;
    }

    /// <summary>A boolean flag that is true when given alone and takes <c>=true</c>/<c>=false</c>, like Go's flag package.</summary>
    internal static Option<bool> Bool(string name, string description, bool defaultValue) => new(name)
    {
        Description = description,
        HelpName = "BOOL",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => r.Tokens.Count == 0 ? true : r.Tokens[0].Value switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            var other => Fail<bool>(r, $"invalid value \"{other}\" for {name}: must be true or false"),
        },
    };

    /// <summary>A Go duration flag (<c>15s</c>, <c>500ms</c>, <c>1m</c>).</summary>
    internal static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            var (unit, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? ("ms", 0.001)
                : text.EndsWith('s') ? ("s", 1.0)
                : text.EndsWith('m') ? ("m", 60.0)
                : text.EndsWith('h') ? ("h", 3600.0)
                : ("", 0.0);
            return unit.Length > 0 && double.TryParse(text[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
                ? TimeSpan.FromSeconds(n * scale)
                : Fail<TimeSpan>(r, $"invalid duration \"{text}\" for {name} (e.g. 15s, 500ms, 1m)");
        },
    };

    /// <summary>A port flag takes 0..65535 (what 0 means is the flag's own: any free port, or off).</summary>
    internal static void ValidatePort(Option<int> port) => port.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() is < 0 or > 65535)
        {
            r.AddError($"invalid port \"{r.GetValueOrDefault<int>()}\": must be 0..65535");
        }
    });

    /// <summary>Upstream's leader-election check: lease-duration &gt; renew-deadline &gt; 1.2 × retry-period &gt; 0.</summary>
    private static void ValidateLeaderElection(Command command, Option<TimeSpan> leaseDuration, Option<TimeSpan> renewDeadline, Option<TimeSpan> retryPeriod) =>
        command.Validators.Add(r =>
        {
            if (HasErrors(r, leaseDuration, renewDeadline, retryPeriod))
            {
                return;
            }

            var (lease, renew, retry) = (ValueOf(r, leaseDuration), ValueOf(r, renewDeadline), ValueOf(r, retryPeriod));
            if (!(lease > renew && renew > retry * 1.2 && retry > TimeSpan.Zero))
            {
                r.AddError("leader election needs lease-duration > renew-deadline > 1.2 × retry-period > 0");
            }
        });

    /// <summary>True when any of <paramref name="options"/> failed to parse (its error is reported already; reading it throws).</summary>
    private static bool HasErrors(CommandResult r, params Option[] options)
    {
        foreach (var o in options)
        {
            try
            {
                _ = r.GetResult(o)?.Implicit;
                _ = o switch
                {
                    Option<TimeSpan> t => (object)r.GetValue(t),
                    Option<bool> t => r.GetValue(t),
                    Option<string> t => r.GetValue(t),
                    Option<string[]> t => r.GetValue(t),
                    _ => null,
                };
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A duration flag's value, or its default when absent (with a custom parser, System.CommandLine does not apply
    /// the default factory to an absent flag, and GetValue answers zero).
    /// </summary>
    internal static TimeSpan ValueOf(CommandResult r, Option<TimeSpan> option) =>
        r.GetResult(option) is { Implicit: false } ? r.GetValue(option) : option.DefaultValueFactory!(null!);

    private static string[] CommaList(ArgumentResult r) =>
        [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }
}
