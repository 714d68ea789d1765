using System.Buffers;
using System.Text;
using Ingestd.Config;
using Ingestd.Outputs;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "nats_jetstream"</c>: publishes each event (the line <c>ingestd read</c> prints plus <c>"id"</c>) to a
/// subject from the <c>subject</c> template (<c>{tenant}</c>, <c>{dialect}</c>), with <c>Nats-Msg-Id</c> = the event
/// id so the stream's duplicate window drops a redelivery. A batch's events are all published first, then their
/// acks collected (one round trip per batch, not per event); an ack (or a duplicate ack) delivers an event; no stream for the subject, no connection
/// or a timeout is transient. The stream itself is the operator's (it is not created here).
/// <c>url</c> may list several servers of a cluster (comma-joined by the config): the client connects to one and,
/// when it dies, reconnects to another (or to one the cluster announced); a publish whose ack was lost on the way
/// is retried with the same <c>Nats-Msg-Id</c>, which the stream drops within its duplicate window.
/// </summary>
internal sealed class NatsJetStreamDestination : IDestination
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly FieldTemplate _subject;
    private readonly string? _fixedSubject;
    private readonly RecordFields _fields = new();
    private readonly ArrayBufferWriter<byte> _subjectBytes = new(256);
    private byte[] _lastSubjectBytes = [];
    private string _lastSubject = "";
    private readonly TimeSpan _timeout;

    public NatsJetStreamDestination(OutputConfig config)
    {
        _subject = new FieldTemplate(config.Subject);
        _fixedSubject = config.Subject.Contains('{') ? null : config.Subject;
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
        var outcomes = new ItemOutcome[items.Count];
        bool allAcked = PublishAll(batch, items, outcomes, timeout.Token).AsTask().GetAwaiter().GetResult();
        ct.ThrowIfCancellationRequested();
        return allAcked ? DeliveryResult.Acknowledged : DeliveryResult.PerItem(outcomes);
    }

    // Every publish goes out first (the client pipelines them on the connection), then the acks are collected:
    // a batch costs one round trip, not one per event.
    private async ValueTask<bool> PublishAll(OutputBatch batch, IReadOnlyList<int> items, ItemOutcome[] outcomes, CancellationToken ct)
    {
        var futures = new NatsJSPublishConcurrentFuture?[items.Count];
        bool allAcked = true;
        try
        {
            for (int k = 0; k < items.Count; k++)
            {
                int i = items[k];
                try
                {
                    futures[k] = await _js.PublishConcurrentAsync(SubjectFor(batch.Line(i)), batch.LineMemory(i),
                        NatsRawSerializer<ReadOnlyMemory<byte>>.Default, new NatsJSPubOpts { MsgId = MsgId(batch, i) },
                        cancellationToken: ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    outcomes[k] = Failed(e);
                }
            }
            for (int k = 0; k < items.Count; k++)
            {
                if (futures[k] is not { } future) continue;
                try
                {
                    var ack = await future.GetResponseAsync().ConfigureAwait(false);
                    outcomes[k] = ack.Error is { } error
                        ? new ItemOutcome(IsContentError(error.Code) ? DeliveryStatus.Permanent : DeliveryStatus.Transient, $"JetStream {error.Code}: {error.Description}")
                        : new ItemOutcome(DeliveryStatus.Acknowledged, "");
                }
                catch (Exception e)
                {
                    outcomes[k] = Failed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Publishing stopped by the time-out: whatever has no outcome yet is retried.
        }
        finally
        {
            foreach (var future in futures)
            {
                // Disposing a future whose publish failed rethrows that failure: it has its outcome already.
                if (future is not { } f) continue;
                try
                {
                    await f.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                }
            }
        }
        for (int k = 0; k < outcomes.Length; k++)
        {
            if (outcomes[k].Reason is null) outcomes[k] = new ItemOutcome(DeliveryStatus.Transient, "publish cancelled (no ack in time)");
            allAcked &= outcomes[k].Status == DeliveryStatus.Acknowledged;
        }
        return allAcked;
    }

    private static bool IsContentError(int code) => code is >= 400 and < 500 and not (408 or 429 or 404 or 503);

    private static ItemOutcome Failed(Exception e)
    {
        string reason = e is OperationCanceledException ? "publish cancelled (no ack in time)" : $"{e.GetType().Name}: {e.Message}";
        return e is NatsJSApiException api && IsContentError(api.Error.Code)
            ? new ItemOutcome(DeliveryStatus.Permanent, reason)
            : new ItemOutcome(DeliveryStatus.Transient, reason);
    }

    private static string MsgId(OutputBatch batch, int index)
    {
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        return Encoding.ASCII.GetString(id[..batch.WriteId(index, id)]);
    }

    // Consecutive events of a batch mostly share a subject: the last one's string is reused when the bytes match.
    private string SubjectFor(ReadOnlySpan<byte> line)
    {
        if (_fixedSubject is not null) return _fixedSubject;
        _fields.Read(line);
        _subjectBytes.ResetWrittenCount();
        _subject.RenderSubject(_fields, _subjectBytes);
        if (!_subjectBytes.WrittenSpan.SequenceEqual(_lastSubjectBytes))
        {
            _lastSubjectBytes = _subjectBytes.WrittenSpan.ToArray();
            _lastSubject = Encoding.UTF8.GetString(_lastSubjectBytes);
        }
        return _lastSubject;
    }

    public void Dispose() => _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
