using System.Globalization;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SloMonitor.Alerting.Views;

/// <summary>
/// The routing file written as an Alertmanager configuration (<c>route</c>, <c>inhibit_rules</c>, <c>receivers</c>,
/// <c>global.resolve_timeout</c>), so <c>amtool config routes</c> and Alertmanager's own loader read it. Secrets
/// are written as <c>&lt;secret&gt;</c>, as Alertmanager writes them; a webhook URL keeps only its scheme, host and
/// port. What has no Alertmanager equivalent (maintenance windows, the upstream-Alertmanager integration, receiver
/// timeouts, the incident settings) is listed in comments at the top.
/// </summary>
internal static class AlertmanagerConfigYaml
{
    private const string Secret = "<secret>";

    public static string Render(AlertingConfig config, AlertingOptions options)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        var yaml = new Emitter(text);
        yaml.Emit(new StreamStart());
        yaml.Emit(new DocumentStart());
        foreach (var line in Unmapped(config))
        {
            yaml.Emit(new Comment(line, isInline: false));
        }

        Map(yaml, () =>
        {
            Key(yaml, "global");
            Map(yaml, () => Pair(yaml, "resolve_timeout", Duration(options.ExternalResolveTimeout)));
            Key(yaml, "route");
            RouteNode(yaml, config.Root, parent: null);
            if (config.InhibitRules.Count > 0)
            {
                Key(yaml, "inhibit_rules");
                List(yaml, config.InhibitRules, rule => Map(yaml, () =>
                {
                    Strings(yaml, "source_matchers", rule.SourceMatchers.Select(m => m.ToString()));
                    Strings(yaml, "target_matchers", rule.TargetMatchers.Select(m => m.ToString()));
                    if (rule.Equal.Count > 0)
                    {
                        Strings(yaml, "equal", rule.Equal);
                    }
                }));
            }

            Key(yaml, "receivers");
            List(yaml, config.Receivers.Values, receiver => ReceiverNode(yaml, receiver));
            Strings(yaml, "templates", []);
        });
        yaml.Emit(new DocumentEnd(isImplicit: true));
        yaml.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void RouteNode(IEmitter yaml, Route route, Route? parent) => Map(yaml, () =>
    {
        if (parent is null || route.Receiver != parent.Receiver)
        {
            Text(yaml, "receiver", route.Receiver);
        }

        var groupByShown = parent is null
            ? route.GroupBy is null || route.GroupBy.Count > 0
            : !(route.GroupBy is null ? parent.GroupBy is null : parent.GroupBy is not null && route.GroupBy.SequenceEqual(parent.GroupBy));
        if (groupByShown)
        {
            Strings(yaml, "group_by", route.GroupBy ?? ["..."]);
        }

        if (route.Matchers.Count > 0)
        {
            Strings(yaml, "matchers", route.Matchers.Select(m => m.ToString()));
        }

        if (route.Continue)
        {
            Pair(yaml, "continue", "true");
        }

        if (parent is null || route.GroupWait != parent.GroupWait)
        {
            Pair(yaml, "group_wait", Duration(route.GroupWait));
        }

        if (parent is null || route.GroupInterval != parent.GroupInterval)
        {
            Pair(yaml, "group_interval", Duration(route.GroupInterval));
        }

        if (parent is null || route.RepeatInterval != parent.RepeatInterval)
        {
            Pair(yaml, "repeat_interval", Duration(route.RepeatInterval));
        }

        if (route.Children.Count > 0)
        {
            Key(yaml, "routes");
            List(yaml, route.Children, child => RouteNode(yaml, child, route));
        }
    });

    private static void ReceiverNode(IEmitter yaml, ReceiverConfig receiver) => Map(yaml, () =>
    {
        Text(yaml, "name", receiver.Name);
        switch (receiver.Kind)
        {
            case ReceiverKind.Webhook:
                Key(yaml, "webhook_configs");
                List(yaml, [receiver], r => Map(yaml, () =>
                {
                    Pair(yaml, "send_resolved", r.SendResolved ? "true" : "false");
                    Text(yaml, "url", WebhookUrl(r.Url!));
                    Pair(yaml, "max_alerts", r.MaxAlerts.ToString(CultureInfo.InvariantCulture));
                    if (r.Token is not null)
                    {
                        Key(yaml, "http_config");
                        Map(yaml, () =>
                        {
                            Key(yaml, "authorization");
                            Map(yaml, () =>
                            {
                                Text(yaml, "type", "Bearer");
                                Text(yaml, "credentials", Secret);
                            });
                        });
                    }
                }));
                break;
            case ReceiverKind.Slack:
                Key(yaml, "slack_configs");
                List(yaml, [receiver], r => Map(yaml, () =>
                {
                    Pair(yaml, "send_resolved", r.SendResolved ? "true" : "false");
                    Text(yaml, "api_url", Secret);
                    if (r.Channel is { Length: > 0 } channel)
                    {
                        Text(yaml, "channel", channel);
                    }

                    if (r.Username is { Length: > 0 } username)
                    {
                        Text(yaml, "username", username);
                    }
                }));
                break;
            case ReceiverKind.PagerDuty:
                Key(yaml, "pagerduty_configs");
                List(yaml, [receiver], r => Map(yaml, () =>
                {
                    Pair(yaml, "send_resolved", "true");
                    Text(yaml, "routing_key", Secret);
                    Text(yaml, "url", r.Url!.ToString());
                }));
                break;
        }
    });

    /// <summary>Lines for what the Alertmanager format cannot say.</summary>
    private static List<string> Unmapped(AlertingConfig config)
    {
        var lines = new List<string> { "Rendered by SloMonitor from its routing file; secrets are shown as <secret>." };
        foreach (var window in config.MaintenanceWindows)
        {
            var days = window.Weekdays.Count == 0 ? "every day" : string.Join(",", window.Weekdays.Order().Select(d => d.ToString().ToLowerInvariant()));
            lines.Add($"maintenance window {window.Name}: [{string.Join(", ", window.Matchers)}] {days} from {window.Start:HH\\:mm} for {Duration(window.Duration)} ({window.TimeZone.Id})");
        }

        foreach (var receiver in config.Receivers.Values)
        {
            if (receiver.Kind == ReceiverKind.Alertmanager)
            {
                lines.Add($"receiver {receiver.Name}: forwards to the Alertmanager at {receiver.Url!.Scheme}://{receiver.Url.Authority}");
            }

            if (receiver.Timeout is { } timeout)
            {
                lines.Add($"receiver {receiver.Name}: timeout {Duration(timeout)}");
            }
        }

        if (config.AckTimeout is { } ack)
        {
            lines.Add($"incidents: ackTimeout {Duration(ack)}");
        }

        return lines;
    }

    private static string Duration(TimeSpan value) => value == TimeSpan.Zero ? "0s" : DurationParser.Format(value);

    /// <summary>Paths, queries and user info of webhook URLs often carry tokens: only the origin is shown.</summary>
    private static string WebhookUrl(Uri url)
    {
        var origin = url.Scheme + "://" + url.Authority;
        return url.PathAndQuery is "/" or "" && url.UserInfo.Length == 0 ? origin + "/" : origin + "/%3Csecret%3E";
    }

    private static void Map(IEmitter yaml, Action body)
    {
        yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
        body();
        yaml.Emit(new MappingEnd());
    }

    private static void List<T>(IEmitter yaml, IEnumerable<T> items, Action<T> item)
    {
        yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
        foreach (var value in items)
        {
            item(value);
        }

        yaml.Emit(new SequenceEnd());
    }

    private static void Key(IEmitter yaml, string key) => yaml.Emit(new Scalar(key));

    private static void Pair(IEmitter yaml, string key, string value)
    {
        Key(yaml, key);
        yaml.Emit(new Scalar(value));
    }

    /// <summary>A string value: plain when it cannot be read as anything else, quoted otherwise.</summary>
    private static void Text(IEmitter yaml, string key, string value)
    {
        Key(yaml, key);
        yaml.Emit(PlainSafe(value)
            ? new Scalar(value)
            : new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.SingleQuoted, isPlainImplicit: false, isQuotedImplicit: true));
    }

    private static bool PlainSafe(string value) =>
        value.Length > 0 && char.IsAsciiLetter(value[0])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && value.ToLowerInvariant() is not ("true" or "false" or "yes" or "no" or "on" or "off" or "null" or "y" or "n");

    private static void Strings(IEmitter yaml, string key, IEnumerable<string> values)
    {
        Key(yaml, key);
        yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Flow));
        foreach (var value in values)
        {
            yaml.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.SingleQuoted, isPlainImplicit: false, isQuotedImplicit: true));
        }

        yaml.Emit(new SequenceEnd());
    }
}
