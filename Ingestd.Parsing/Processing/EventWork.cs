using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// The event a pipeline is working on: its JSON (in one of two buffers: a rewriting step reads one and writes the
/// other), its header fields and route tags as steps leave them, and whether anything changed. One per connection,
/// reused for every event, so steady state allocates nothing.
/// </summary>
internal sealed class EventWork
{
    /// <summary>The event writer's encoder: events are stored as UTF-8; escaping non-ASCII would only grow them.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = Encoder,
        SkipValidation = true,
    };

    private ArrayBufferWriter<byte> _current = new(1024);
    private ArrayBufferWriter<byte> _next = new(1024);
    private readonly Utf8JsonWriter _writer;

    public EventWork()
    {
        _writer = new Utf8JsonWriter(_next, WriterOptions);
        Values = new ArrayBufferWriter<byte>(256);
        ValuesWriter = new Utf8JsonWriter(Values, WriterOptions);
    }

    public FieldLocator Locator { get; } = new();
    public FieldBuffer Tenant { get; } = new();
    public FieldBuffer Service { get; } = new();
    public FieldBuffer Level { get; } = new();
    public FieldBuffer Routes { get; } = new();

    /// <summary>Per-event JSON values a step computes before rewriting (lookups, parsed objects, renamed values).</summary>
    public ArrayBufferWriter<byte> Values { get; }

    /// <summary>Writes JSON into <see cref="Values"/>.</summary>
    public Utf8JsonWriter ValuesWriter { get; }

    /// <summary>Scratch for unescaped strings and masked text.</summary>
    public ArrayBufferWriter<byte> Text { get; } = new(256);

    /// <summary>A second scratch, for text built from <see cref="Text"/>.</summary>
    public ArrayBufferWriter<byte> Text2 { get; } = new(256);

    // The loaded event's JSON where it lies in the batch (no copy) until a step rewrites it; null once rewritten.
    private byte[]? _loaded;
    private int _loadedStart, _loadedLength;

    public ReadOnlySpan<byte> Json => _loaded is { } loaded ? loaded.AsSpan(_loadedStart, _loadedLength) : _current.WrittenSpan;

    public Dialect Dialect { get; private set; }
    public RecordKind Kind { get; private set; }
    public long ReceivedNs { get; private set; }
    public long EventNs { get; private set; }
    public bool JsonChanged { get; private set; }
    public bool HeaderChanged { get; set; }
    public bool RoutesChanged { get; set; }
    public bool Dropped { get; set; }

    /// <summary>
    /// Whether the value the <c>json</c> parse format last took is simple text (see
    /// <see cref="JsonValueScan.TryScan(ReadOnlySpan{byte}, out int, out int, out bool)"/>), for the splice; false when not known.
    /// </summary>
    public bool ParsedValueIsSimple { get; set; }

    /// <summary>Per-event counter for keyless sampling and timing (a running count of events this connection processed).</summary>
    public long Sequence { get; set; }

    public bool Changed => JsonChanged || HeaderChanged || RoutesChanged;

    /// <summary>
    /// Takes the record as the event to work on. Its JSON is read where it lies: <paramref name="batch"/> holds the record
    /// from <paramref name="recordStart"/>, and must not change until the next load.
    /// </summary>
    public void Load(in RecordView record, byte[] batch, int recordStart)
    {
        _loaded = batch;
        _loadedStart = recordStart + record.JsonStart;
        _loadedLength = record.Json.Length;
        Tenant.Set(record.Tenant);
        Service.Set(record.Service);
        Level.Set(record.Level);
        Routes.Set(record.Routes);
        Dialect = record.Dialect;
        Kind = record.Kind;
        ReceivedNs = record.ReceivedNs;
        EventNs = record.EventNs;
        JsonChanged = HeaderChanged = RoutesChanged = Dropped = false;
        Locator.Invalidate();
        Values.ResetWrittenCount();
    }

    /// <summary>Empties <see cref="Values"/> (a step starts computing its values).</summary>
    public void ClearValues() => Values.ResetWrittenCount();

    /// <summary>The fields conditions read, as the event stands now.</summary>
    public EventFields Fields(ReadOnlySpan<byte> stream) => new()
    {
        Tenant = Tenant.Span,
        Stream = stream,
        Service = Service.Span,
        Level = Level.Span,
        Json = Json,
        Dialect = Dialect,
        Kind = Kind,
        Locator = Locator,
    };

    /// <summary>Starts a rewrite of the JSON: write the new event with the returned writer, then call <see cref="EndRewrite"/>.</summary>
    public Utf8JsonWriter BeginRewrite()
    {
        _next.ResetWrittenCount();
        _writer.Reset(_next);
        return _writer;
    }

    /// <summary>Makes the rewritten JSON the event's (when <paramref name="keep"/>), or discards it.</summary>
    public void EndRewrite(bool keep)
    {
        _writer.Flush();
        if (!keep) return;
        (_current, _next) = (_next, _current);
        _loaded = null;
        JsonChanged = true;
        Locator.Invalidate();
    }

    /// <summary>
    /// Starts a spliced rewrite (<see cref="JsonSplicer"/>): the new event's bytes go straight into the returned buffer,
    /// then call <see cref="EndSplice"/>.
    /// </summary>
    public ArrayBufferWriter<byte> BeginSplice()
    {
        _next.ResetWrittenCount();
        return _next;
    }

    /// <summary>Whether a step's own rewrite pass may be spliced (<see cref="JsonSplicer"/>); off only to compare.</summary>
    public bool Splices { get; set; } = true;

    /// <summary>Passes made by splicing on this work (<see cref="JsonSplicer"/>), for tests to see the splice was taken.</summary>
    public long Spliced { get; set; }

    /// <summary>Makes the spliced JSON the event's (when <paramref name="keep"/>), or discards it.</summary>
    public void EndSplice(bool keep)
    {
        if (!keep) return;
        (_current, _next) = (_next, _current);
        _loaded = null;
        JsonChanged = true;
        Locator.Invalidate();
    }

    /// <summary>Starts one JSON value in <see cref="Values"/> (after the ones already there); <paramref name="start"/> is where it begins.</summary>
    public Utf8JsonWriter StartValue(out int start)
    {
        start = Values.WrittenCount;
        ValuesWriter.Reset(Values);
        return ValuesWriter;
    }

    /// <summary>Flushes the value started with <see cref="StartValue"/>; its length.</summary>
    public int EndValue(int start)
    {
        ValuesWriter.Flush();
        return Values.WrittenCount - start;
    }

    /// <summary>Per-event state of a step's assignments (see <see cref="Assignment"/>), grown to the largest step.</summary>
    public AssignmentSlots Assignments { get; } = new();

    /// <summary>The member names of the objects a rewrite is inside.</summary>
    public PathStack Names { get; } = new();

    /// <summary>A fused rewrite's note of subtrees it re-wrote without a change (see <see cref="JsonRewriter.RewriteFused"/>).</summary>
    public DescentCauses DescentCauses { get; } = new();
}

/// <summary>
/// For each subtree a fused pass re-wrote whose text changed though no step changed anything in it: the steps (a bit
/// each) whose paths led into it. Kept only when one of them changed the event. Bounded: when full, the pass is given up.
/// </summary>
internal sealed class DescentCauses
{
    private readonly ulong[] _causes = new ulong[16];
    private int _count;

    public void Clear() => _count = 0;

    /// <summary>Notes one subtree's steps; false when there is no room left.</summary>
    public bool Add(ulong causes)
    {
        if (_count == _causes.Length) return false;
        _causes[_count++] = causes;
        return true;
    }

    /// <summary>Whether every noted subtree has a step among <paramref name="changedSteps"/>.</summary>
    public bool AllMet(ulong changedSteps)
    {
        for (int i = 0; i < _count; i++)
            if ((_causes[i] & changedSteps) == 0) return false;
        return true;
    }
}
