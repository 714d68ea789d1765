using System.Text;
using Ingestd.Idempotency;
using Ingestd.Tests.Storage;

namespace Ingestd.Tests.Idempotency;

public class IdempotencyStoreTests
{
    private const long T0 = 1_735_689_600_000; // 2025-01-01T00:00:00Z
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private const string Scope = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static readonly Guid Key = Guid.Parse("550e8400-e29b-41d4-a716-446655440000");

    private sealed class Harness : IDisposable
    {
        private readonly TempDir _dir = new();
        public long Now = T0;
        public readonly List<string> Logged = [];
        public IdempotencyLimits? Limits;
        public string PathName => Path.Combine(_dir.Path, "idempotency.log");

        public IdempotencyStore Open(long firstUnsafeSequence = long.MaxValue)
            => IdempotencyStore.Open(PathName, Day, () => Now, Logged.Add, Limits, firstUnsafeSequence);

        public void Dispose() => _dir.Dispose();
    }

    private static StoredResponse Accepted(string traceId = "t-1") => new(202,
        Encoding.UTF8.GetBytes($$"""{"status":"accepted","message":"Ingest pipeline running","traceId":"{{traceId}}"}"""),
        [new("X-Request-ID", "r-1"), new("X-Trace-ID", traceId)]);

    private static void AssertSameResponse(StoredResponse expected, StoredResponse? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(expected.Headers, actual.Headers);
    }

    private static void Store(IdempotencyStore store, string scope, Guid key, StoredResponse response)
    {
        Assert.Equal(IdempotencyBegin.New, store.Begin(scope, key, out _));
        store.Complete(scope, key, response);
    }

    [Fact]
    public void First_request_is_new_and_its_repeat_replays_the_stored_response()
    {
        using var h = new Harness();
        using var store = h.Open();
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out var none));
        Assert.Null(none);
        store.Complete(Scope, Key, Accepted());

        Assert.Equal(IdempotencyBegin.Replay, store.Begin(Scope, Key, out var replay));
        AssertSameResponse(Accepted(), replay);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Same_key_under_another_scope_is_new()
    {
        using var h = new Harness();
        using var store = h.Open();
        Store(store, Scope, Key, Accepted());
        Assert.Equal(IdempotencyBegin.New, store.Begin("other-api-key-hash", Key, out _));
    }

    [Fact]
    public void Repeat_while_the_first_is_in_flight_is_in_progress()
    {
        using var h = new Harness();
        using var store = h.Open();
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
        Assert.Equal(IdempotencyBegin.InProgress, store.Begin(Scope, Key, out var response));
        Assert.Null(response);
    }

    [Fact]
    public void Abandon_releases_the_reservation_without_storing()
    {
        using var h = new Harness();
        using var store = h.Open();
        store.Begin(Scope, Key, out _);
        store.Abandon(Scope, Key);
        Assert.Equal(0, store.Count);
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Abandon_does_not_remove_a_completed_response()
    {
        using var h = new Harness();
        using var store = h.Open();
        Store(store, Scope, Key, Accepted());
        store.Abandon(Scope, Key);
        Assert.Equal(IdempotencyBegin.Replay, store.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Leaked_reservation_is_taken_over_after_the_timeout()
    {
        using var h = new Harness { Limits = new IdempotencyLimits(ReservationTimeout: TimeSpan.FromMinutes(15)) };
        using var store = h.Open();
        store.Begin(Scope, Key, out _);
        h.Now += 15 * 60_000 - 1;
        Assert.Equal(IdempotencyBegin.InProgress, store.Begin(Scope, Key, out _));
        h.Now += 1;
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Response_expires_after_the_window()
    {
        using var h = new Harness();
        using var store = h.Open();
        Store(store, Scope, Key, Accepted());

        h.Now += Day.Ticks / TimeSpan.TicksPerMillisecond - 1;
        Assert.Equal(IdempotencyBegin.Replay, store.Begin(Scope, Key, out _));
        h.Now += 1;
        Assert.Equal(0, store.Count);
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Second_completion_keeps_the_first_response()
    {
        using var h = new Harness();
        using var store = h.Open();
        Store(store, Scope, Key, Accepted("first"));
        store.Complete(Scope, Key, Accepted("second"));
        store.Begin(Scope, Key, out var replay);
        AssertSameResponse(Accepted("first"), replay);
    }

    [Fact]
    public void Responses_survive_reopening_the_log()
    {
        using var h = new Harness();
        var other = Guid.Parse("f47ac10b-58cc-4372-a567-0e02b2c3d479");
        using (var store = h.Open())
        {
            Store(store, Scope, Key, Accepted("a"));
            Store(store, "scope-2", other, new StoredResponse(413, "{\"error\":\"big\"}"u8.ToArray(), []));
            store.Begin(Scope, Guid.NewGuid(), out _); // a reservation is not persisted
        }

        using var reopened = h.Open();
        Assert.Equal(2, reopened.Count);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, Key, out var a));
        AssertSameResponse(Accepted("a"), a);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin("scope-2", other, out var b));
        AssertSameResponse(new StoredResponse(413, "{\"error\":\"big\"}"u8.ToArray(), []), b);
        Assert.Empty(h.Logged);
    }

    [Fact]
    public void Reopen_skips_entries_that_expired_while_closed()
    {
        using var h = new Harness();
        using (var store = h.Open()) Store(store, Scope, Key, Accepted());
        h.Now += Day.Ticks / TimeSpan.TicksPerMillisecond;
        using var reopened = h.Open();
        Assert.Equal(0, reopened.Count);
        Assert.Equal(IdempotencyBegin.New, reopened.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Reopen_keeps_the_window_from_the_original_completion()
    {
        using var h = new Harness();
        using (var store = h.Open()) Store(store, Scope, Key, Accepted());
        h.Now += Day.Ticks / TimeSpan.TicksPerMillisecond - 1;
        using var reopened = h.Open();
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, Key, out _));
        h.Now += 1;
        Assert.Equal(IdempotencyBegin.New, reopened.Begin(Scope, Key, out _));
    }

    [Theory]
    [InlineData(1)]   // inside the record header
    [InlineData(9)]   // inside the payload
    [InlineData(-1)]  // all but the last byte
    public void Torn_last_record_is_truncated_and_earlier_records_survive(int keepOfLast)
    {
        using var h = new Harness();
        var second = Guid.NewGuid();
        long goodLength;
        using (var store = h.Open())
        {
            Store(store, Scope, Key, Accepted());
            goodLength = store.FileBytes;
            Store(store, Scope, second, Accepted("b"));
        }
        long full = new FileInfo(h.PathName).Length;
        long cut = keepOfLast >= 0 ? goodLength + keepOfLast : full + keepOfLast;
        using (var f = new FileStream(h.PathName, FileMode.Open)) f.SetLength(cut);

        using var reopened = h.Open();
        Assert.Equal(goodLength, new FileInfo(h.PathName).Length);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, Key, out _));
        Assert.Equal(IdempotencyBegin.New, reopened.Begin(Scope, second, out _));
        Assert.Contains(h.Logged, m => m.Contains("truncated") && m.Contains($"offset {goodLength}"));
    }

    [Fact]
    public void Junk_appended_after_the_last_record_is_truncated()
    {
        using var h = new Harness();
        long goodLength;
        using (var store = h.Open())
        {
            Store(store, Scope, Key, Accepted());
            goodLength = store.FileBytes;
        }
        using (var f = new FileStream(h.PathName, FileMode.Append)) f.Write("\x10\0\0\0junkjunkjunkjunkjunk"u8);

        using var reopened = h.Open();
        Assert.Equal(goodLength, new FileInfo(h.PathName).Length);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, Key, out _));
        Assert.Contains(h.Logged, m => m.Contains("CRC mismatch"));
    }

    [Fact]
    public void Flipped_byte_in_a_record_truncates_from_that_record()
    {
        using var h = new Harness();
        long firstEnd;
        using (var store = h.Open())
        {
            Store(store, Scope, Key, Accepted());
            firstEnd = store.FileBytes;
            Store(store, Scope, Guid.NewGuid(), Accepted());
        }
        var bytes = File.ReadAllBytes(h.PathName);
        bytes[firstEnd + 20] ^= 0xFF;
        File.WriteAllBytes(h.PathName, bytes);

        using var reopened = h.Open();
        Assert.Equal(1, reopened.Count);
        Assert.Equal(firstEnd, new FileInfo(h.PathName).Length);
    }

    [Fact]
    public void Appends_after_a_truncated_tail_are_read_back()
    {
        using var h = new Harness();
        using (var store = h.Open()) Store(store, Scope, Key, Accepted());
        using (var f = new FileStream(h.PathName, FileMode.Append)) f.Write("garbage"u8);
        var later = Guid.NewGuid();
        using (var store = h.Open()) Store(store, Scope, later, Accepted());

        using var reopened = h.Open();
        Assert.Equal(2, reopened.Count);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, later, out _));
    }

    [Fact]
    public void File_without_a_valid_header_starts_empty()
    {
        using var h = new Harness();
        File.WriteAllText(h.PathName, "not an idempotency log at all");
        using var store = h.Open();
        Assert.Equal(0, store.Count);
        Assert.Equal(IdempotencyLogFormat.FileHeaderSize, new FileInfo(h.PathName).Length);
        Assert.Single(h.Logged);
    }

    private static readonly long RecordBytes = IdempotencyLogFormat.EncodeRecord(Scope, Key, T0, Accepted(), 0).Length;

    [Fact]
    public void Compaction_keeps_live_entries_and_shrinks_the_file()
    {
        using var h = new Harness { Limits = new IdempotencyLimits(CompactMinRecords: 20) };
        var live = new List<Guid>();
        using (var store = h.Open())
        {
            for (int i = 0; i < 15; i++) Store(store, Scope, Guid.NewGuid(), Accepted());
            h.Now += Day.Ticks / TimeSpan.TicksPerMillisecond; // the first 15 expire
            for (int i = 0; i < 6; i++)
            {
                var key = Guid.NewGuid();
                live.Add(key);
                Store(store, Scope, key, Accepted());
            }
            // 21 records > 20 and > 2 × 6 live: the last Complete compacted the log down to the 6.
            Assert.Contains(h.Logged, m => m.Contains("compacted 21 records"));
            Assert.Equal(IdempotencyLogFormat.FileHeaderSize + 6 * RecordBytes, new FileInfo(h.PathName).Length);
            Assert.Equal(new FileInfo(h.PathName).Length, store.FileBytes);
            Assert.Equal(6, store.Count);

            var after = Guid.NewGuid();
            live.Add(after);
            Store(store, Scope, after, Accepted()); // appends go to the compacted file
        }

        Assert.Equal(IdempotencyLogFormat.FileHeaderSize + 7 * RecordBytes, new FileInfo(h.PathName).Length);
        Assert.False(File.Exists(h.PathName + ".tmp"));
        using var reopened = h.Open();
        Assert.Equal(7, reopened.Count);
        foreach (var key in live) Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, key, out _));
    }

    [Fact]
    public void Log_mostly_of_expired_records_is_compacted_at_open()
    {
        using var h = new Harness { Limits = new IdempotencyLimits(CompactMinRecords: 5) };
        long halfDay = Day.Ticks / TimeSpan.TicksPerMillisecond / 2;
        var recent = new[] { Guid.NewGuid(), Guid.NewGuid() };
        using (var store = h.Open())
        {
            for (int i = 0; i < 6; i++) Store(store, Scope, Guid.NewGuid(), Accepted());
            h.Now += halfDay;
            foreach (var key in recent) Store(store, Scope, key, Accepted());
        }
        Assert.DoesNotContain(h.Logged, m => m.Contains("compacted"));

        h.Now += halfDay; // the first six expire while the daemon is down
        using var reopened = h.Open();
        Assert.Contains(h.Logged, m => m.Contains("compacted 8 records"));
        Assert.Equal(IdempotencyLogFormat.FileHeaderSize + 2 * RecordBytes, new FileInfo(h.PathName).Length);
        Assert.Equal(2, reopened.Count);
        foreach (var key in recent) Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, key, out _));
    }

    [Fact]
    public void Oversized_body_is_not_stored_and_releases_the_key()
    {
        using var h = new Harness { Limits = new IdempotencyLimits(MaxBodyBytes: 100) };
        using var store = h.Open();
        store.Begin(Scope, Key, out _);
        store.Complete(Scope, Key, new StoredResponse(202, new byte[101], []));
        Assert.Equal(0, store.Count);
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
        Assert.Contains(h.Logged, m => m.Contains("101 bytes"));
    }

    [Fact]
    public void Oldest_entries_are_evicted_past_the_entry_cap()
    {
        using var h = new Harness { Limits = new IdempotencyLimits(MaxEntries: 3) };
        using var store = h.Open();
        var keys = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var key in keys)
        {
            Store(store, Scope, key, Accepted());
            h.Now++;
        }
        Assert.Equal(3, store.Count);
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, keys[0], out _));
        Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, keys[1], out _));
        Assert.Equal(IdempotencyBegin.Replay, store.Begin(Scope, keys[2], out _));
    }

    [Fact]
    public void Concurrent_begins_of_one_key_reserve_it_once()
    {
        using var h = new Harness();
        using var store = h.Open();
        int fresh = 0;
        Parallel.For(0, 64, i =>
        {
            if (store.Begin(Scope, Key, out _) == IdempotencyBegin.New) Interlocked.Increment(ref fresh);
        });
        Assert.Equal(1, fresh);
    }

    [Fact]
    public void Response_whose_events_may_be_missing_after_recovery_is_dropped_and_not_replayed()
    {
        using var h = new Harness();
        var older = Guid.NewGuid();
        using (var store = h.Open())
        {
            Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, older, out _));
            store.Complete(Scope, older, Accepted(), storedBelowSequence: 100);
            Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
            store.Complete(Scope, Key, Accepted(), storedBelowSequence: 250);
        }
        using var reopened = h.Open(firstUnsafeSequence: 200);
        Assert.Equal(IdempotencyBegin.New, reopened.Begin(Scope, Key, out _));
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, older, out _));
        Assert.Contains(h.Logged, m => m.Contains("dropped 1 responses"));
    }

    [Fact]
    public void Dropped_response_stays_dropped_once_recovery_no_longer_sees_the_damage()
    {
        using var h = new Harness();
        using (var store = h.Open())
        {
            Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
            store.Complete(Scope, Key, Accepted(), storedBelowSequence: 250);
        }
        using (h.Open(firstUnsafeSequence: 200)) { }
        using var later = h.Open();
        Assert.Equal(IdempotencyBegin.New, later.Begin(Scope, Key, out _));
    }

    [Fact]
    public void Response_of_a_log_written_before_sequences_were_recorded_is_kept()
    {
        using var h = new Harness();
        using (var store = h.Open())
        {
            Assert.Equal(IdempotencyBegin.New, store.Begin(Scope, Key, out _));
            store.Complete(Scope, Key, Accepted()); // no events: sequence 0
        }
        using var reopened = h.Open(firstUnsafeSequence: 0);
        Assert.Equal(IdempotencyBegin.Replay, reopened.Begin(Scope, Key, out _));
    }
}
