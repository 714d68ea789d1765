using System.Text;
using Ingestd.Config;
using Ingestd.Outputs;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "nats_jetstream"</c>: publishes each event (the line <c>ingestd read</c> prints plus <c>"id"</c>) to a
/// subject from the <c>subject</c> template (<c>{tenant}</c>, <c>{dialect}</c>), with <c>Nats-Msg-Id</c> = the event
/// id so the stream's duplicate window drops a redelivery, and waits for each publish ack. The events of a batch are
/// published concurrently; an ack (or a duplicate ack) delivers an event; no stream for the subject, no connection
/// or a timeout is transient. The stream itself is the operator's (it is not created here).
/// <c>url</c> may list several servers of a cluster (comma-joined by the config): the client connects to one and,
/// when it dies, reconnects to another (or to one the cluster announced); a publish whose ack was lost on the way
/// is retried with the same <c>Nats-Msg-Id</c>, which the stream drops within its duplicate window.
/// </summary>
internal sealed class NatsJetStreamDestination : IDestination
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly string _subject;
    private readonly TimeSpan _timeout;

    public NatsJetStreamDestination(OutputConfig config)
    {
        _subject = config.Subject;
        _timeout = config.Timeout;
        _connection = new NatsConnection(NatsOpts.Default with
        {
            Url = config.Url!,
            Name = "ingestd output " + config.Name,
            RequestTimeout = config.Timeout,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        _js = new NatsJSContext(_connection);
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout + _timeout);
        var publishes = new Task<NATS.Client.JetStream.Models.PubAckResponse>[items.Count];
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        for (int k = 0; k < items.Count; k++)
        {
            int i = items[k];
            string subject = SubjectFor(batch.Line(i));
            string msgId = Encoding.ASCII.GetString(id[..batch.WriteId(i, id)]);
            publishes[k] = _js.PublishAsync(subject, batch.LineMemory(i), NatsRawSerializer<ReadOnlyMemory<byte>>.Default,
                new NatsJSPubOpts { MsgId = msgId }, cancellationToken: timeout.Token).AsTask();
        }
        try
        {
            Task.WaitAll(publishes, CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Each task is looked at below.
        }
        ct.ThrowIfCancellationRequested();
        var outcomes = new ItemOutcome[items.Count];
        bool allAcked = true;
        for (int k = 0; k < publishes.Length; k++)
        {
            outcomes[k] = Outcome(publishes[k]);
            allAcked &= outcomes[k].Status == DeliveryStatus.Acknowledged;
        }
        return allAcked ? DeliveryResult.Acknowledged : DeliveryResult.PerItem(outcomes);
    }

    private static ItemOutcome Outcome(Task<NATS.Client.JetStream.Models.PubAckResponse> publish)
    {
        if (publish.IsCompletedSuccessfully)
        {
            var ack = publish.Result;
            return ack.Error is { } error
                ? new ItemOutcome(error.Code is >= 400 and < 500 and not (408 or 429) ? DeliveryStatus.Permanent : DeliveryStatus.Transient,
                    $"JetStream {error.Code}: {error.Description}")
                : new ItemOutcome(DeliveryStatus.Acknowledged, "");
        }
        var e = publish.Exception?.InnerException;
        string reason = e is null ? "publish cancelled (no ack in time)" : $"{e.GetType().Name}: {e.Message}";
        if (e is NatsJSApiException api && api.Error.Code is >= 400 and < 500 and not (408 or 429) && api.Error.Code != 404 && api.Error.Code != 503)
            return new ItemOutcome(DeliveryStatus.Permanent, reason);
        return new ItemOutcome(DeliveryStatus.Transient, reason);
    }

    private string SubjectFor(ReadOnlySpan<byte> line)
    {
        if (!_subject.Contains('{')) return _subject;
        var (tenant, dialect) = RecordJson.TenantAndDialect(line);
        return _subject.Replace("{tenant}", Token(tenant)).Replace("{dialect}", Token(dialect));
    }

    // A subject token cannot be empty or hold '.', wildcards or white space.
    private static string Token(string value)
    {
        if (value.Length == 0) return "_";
        var chars = value.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (chars[i] is '.' or '*' or '>' || char.IsWhiteSpace(chars[i]) || char.IsControl(chars[i])) chars[i] = '_';
        return new string(chars);
    }

    public void Dispose() => _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
