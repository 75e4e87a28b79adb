using SloMonitor.Cluster;
using SloMonitor.Testing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// The cluster's deploy files (deploy/docker-compose.cluster.yml, deploy/cluster/haproxy.cfg,
/// deploy/kubernetes/slomonitor-cluster.yaml) parse, and agree with the service's settings and with each other.
/// Neither Docker nor Kubernetes runs them here: this is what can be checked without them.
/// </summary>
public sealed class ClusterDeployFilesTests
{
    private static readonly string[] Instances = ["slomonitor-1", "slomonitor-2", "slomonitor-3"];

    [Fact]
    public void TheComposeClusterRunsThreeInstancesInPostgresModeOnOnePostgresBehindTheLoadBalancer()
    {
        var compose = Assert.Single(Load("deploy", "docker-compose.cluster.yml"));
        var services = Map(compose, "services");

        Assert.Equal(["load-balancer", "postgres", .. Instances], services.Keys.Cast<string>().Order(StringComparer.Ordinal));
        var ids = new HashSet<string>();
        foreach (var instance in Instances)
        {
            var service = Map(services, instance);
            Assert.Equal("deploy/Dockerfile", Text(Map(service, "build"), "dockerfile"));
            Assert.Equal("service_healthy", Text(Map(Map(service, "depends_on"), "postgres"), "condition"));
            var environment = Map(service, "environment");
            AssertClusterSettingsExist(environment.Keys.Cast<string>());
            Assert.Equal("postgres", Text(environment, "Cluster__Mode"));
            Assert.Equal(instance, Text(environment, "Cluster__AdvertisedAddress"));
            Assert.StartsWith("Host=postgres;", Text(environment, "ConnectionStrings__Postgres"), StringComparison.Ordinal);
            ids.Add(Text(environment, "Cluster__ClusterId") + "/" + Text(environment, "Cluster__ServiceId"));
            Assert.False(service.ContainsKey("ports"), $"{instance} publishes ports of its own; only the load balancer should");
        }

        Assert.Single(ids); // one cluster
        var balancer = Map(services, "load-balancer");
        Assert.Equal(["4317:4317", "4318:4318", "8080:8080"], List(balancer, "ports").Cast<string>().Order(StringComparer.Ordinal));
        var mount = Assert.Single(List(balancer, "volumes").Cast<string>());
        Assert.StartsWith("./cluster/haproxy.cfg:", mount, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLoadBalancerSpreadsEachPortOverTheThreeInstancesAndChecksTheirReadiness()
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("deploy", "cluster", "haproxy.cfg")).Select(l => l.Trim()).ToList();

        Assert.Contains("option httpchk GET /readyz", lines);
        foreach (var port in new[] { 8080, 4317, 4318 })
        {
            Assert.Contains($"bind :{port}", lines);
            foreach (var instance in Instances)
            {
                Assert.Contains($"server {instance} {instance}:{port}", lines);
            }
        }
    }

    [Fact]
    public void TheKubernetesClusterRunsThreeReplicasWithOrleansHostingTheDownwardApiAndTheRightToWatchPods()
    {
        var documents = Load("deploy", "kubernetes", "slomonitor-cluster.yaml");
        Dictionary<object, object> Kind(string kind) => Assert.Single(documents, d => Text(d, "kind") == kind);

        var deployment = Kind("Deployment");
        var spec = Map(deployment, "spec");
        Assert.Equal("3", Text(spec, "replicas"));
        var pod = Map(Map(spec, "template"), "spec");
        var labels = Map(Map(Map(spec, "template"), "metadata"), "labels");
        var container = (Dictionary<object, object>)Assert.Single(List(pod, "containers"));
        var env = List(container, "env").Cast<Dictionary<object, object>>().ToList();
        var names = env.Select(e => Text(e, "name")).ToList();
        AssertClusterSettingsExist(names);
        string Value(string name) => Text(env.Single(e => Text(e, "name") == name), "value");

        Assert.Equal("postgres", Value("Cluster__Mode"));
        Assert.Equal("true", Value("Cluster__Kubernetes"));
        Assert.Equal(Value("Cluster__ClusterId"), Text(labels, "orleans/clusterId"));
        Assert.Equal(Value("Cluster__ServiceId"), Text(labels, "orleans/serviceId"));
        foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
        {
            Assert.Equal(field, Text(Map(Map(env.Single(e => Text(e, "name") == name), "valueFrom"), "fieldRef"), "fieldPath"));
        }

        // Kubernetes expands $(POD_IP) only when POD_IP is defined before the variable that uses it.
        Assert.Equal("$(POD_IP)", Value("Cluster__AdvertisedAddress"));
        Assert.True(names.IndexOf("POD_IP") < names.IndexOf("Cluster__AdvertisedAddress"));
        var ports = List(container, "ports").Cast<Dictionary<object, object>>().ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
        Assert.Equal(Value("Cluster__SiloPort"), ports["silo"]);
        Assert.Equal(Value("Cluster__GatewayPort"), ports["gateway"]);
        Assert.Equal("/healthz", Text(Map(Map(container, "livenessProbe"), "httpGet"), "path"));
        Assert.Equal("/readyz", Text(Map(Map(container, "readinessProbe"), "httpGet"), "path"));

        var account = Text(pod, "serviceAccountName");
        Assert.Equal(account, Text(Map(Kind("ServiceAccount"), "metadata"), "name"));
        var binding = Kind("RoleBinding");
        Assert.Equal(account, Text((Dictionary<object, object>)Assert.Single(List(binding, "subjects")), "name"));
        var role = Kind("Role");
        Assert.Equal(Text(Map(role, "metadata"), "name"), Text(Map(binding, "roleRef"), "name"));
        var rule = (Dictionary<object, object>)Assert.Single(List(role, "rules"));
        Assert.Equal(["pods"], List(rule, "resources").Cast<string>());
        Assert.Equal(["get", "list", "patch", "watch"], List(rule, "verbs").Cast<string>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheClusterManifestKeepsTheSingleInstanceManifestsConfigMapAndService()
    {
        var single = Load("deploy", "kubernetes", "slomonitor.yaml");
        var cluster = Load("deploy", "kubernetes", "slomonitor-cluster.yaml");

        foreach (var kind in new[] { "ConfigMap", "Service" })
        {
            Assert.Equal(
                new Serializer().Serialize(Assert.Single(single, d => Text(d, "kind") == kind)),
                new Serializer().Serialize(Assert.Single(cluster, d => Text(d, "kind") == kind)));
        }
    }

    private static void AssertClusterSettingsExist(IEnumerable<string> variables)
    {
        var settings = typeof(ClusterSettings).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var variable in variables.Where(v => v.StartsWith("Cluster__", StringComparison.Ordinal)))
        {
            Assert.True(settings.Contains(variable["Cluster__".Length..]), $"{variable} is not a Cluster setting");
        }
    }

    /// <summary>Every YAML document of the file, anchors and merge keys resolved.</summary>
    private static List<Dictionary<object, object>> Load(params string[] path)
    {
        using var reader = new StringReader(File.ReadAllText(RepositoryRoot.Combine(path)));
        var parser = new MergingParser(new Parser(reader));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<Dictionary<object, object>>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<Dictionary<object, object>>(parser));
        }

        return documents;
    }

    private static Dictionary<object, object> Map(Dictionary<object, object> node, string key) =>
        Assert.IsType<Dictionary<object, object>>(node[key]);

    private static List<object> List(Dictionary<object, object> node, string key) => Assert.IsType<List<object>>(node[key]);

    private static string Text(Dictionary<object, object> node, string key) => Assert.IsType<string>(node[key]);
}
