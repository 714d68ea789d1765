using System.Globalization;
using System.Text;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The judgement of one scenario from what was acknowledged and what was read back:
/// lost = acknowledged events missing at the end, except those in a block corrupted on purpose (expected loss);
/// sequence reuse = sequence numbers that two read-backs (or one) give to different events (or twice);
/// false corruption = places verify reports that were not corrupted on purpose, plus corrupted places it misses.
/// </summary>
internal sealed class ScenarioVerdict
{
    public required string Name { get; init; }
    public bool Completed { get; init; }
    public string? Incomplete { get; init; }
    public long Acknowledged { get; init; }
    public long Lost { get; init; }
    public long ExpectedLoss { get; init; }
    public long SequenceReuse { get; init; }
    public long FalseCorruption { get; init; }
    public List<string> Details { get; init; } = [];

    public static ScenarioVerdict Judge(ScenarioRun run, string? incomplete)
    {
        var details = new List<string>();
        var requests = run.AcknowledgedRequests();
        int perRequest = run.EventsPerRequest;
        var final = run.Snapshots.Count > 0 ? run.Snapshots[^1].Ids() : [];

        // Lost: per event, reported per request with when it was acknowledged, to line it up with the fault.
        long acknowledged = 0, lost = 0, expected = 0;
        var lostRequests = new List<(string Key, double At, int Missing)>();
        foreach (var (key, at) in requests)
        {
            int missing = 0;
            foreach (var id in AckLoad.EventIds(key, perRequest))
            {
                acknowledged++;
                if (final.Contains(id)) continue;
                if (run.ExpectedLoss.Contains(id)) expected++;
                else missing++;
            }
            lost += missing;
            if (missing > 0) lostRequests.Add((key, at, missing));
        }
        if (lostRequests.Count > 0)
        {
            lostRequests.Sort((a, b) => a.At.CompareTo(b.At));
            details.Add($"lost: {lost} events of {lostRequests.Count} acknowledged requests, acknowledged at t={Seconds(lostRequests[0].At)}..{Seconds(lostRequests[^1].At)}"
                + $" (e.g. {string.Join(", ", lostRequests.Take(3).Select(r => r.Key))})");
        }

        // Sequence reuse: one owner per sequence number over every read-back of the scenario.
        var owner = new Dictionary<long, string>();
        var reused = new SortedSet<long>();
        foreach (var snapshot in run.Snapshots)
        {
            var seen = new HashSet<long>();
            foreach (var (seq, id) in snapshot.Records)
            {
                if (!seen.Add(seq)) reused.Add(seq);
                if (owner.TryGetValue(seq, out var first)) { if (first != id) reused.Add(seq); }
                else owner[seq] = id;
            }
        }
        if (reused.Count > 0)
            details.Add($"sequence reuse: {reused.Count} sequence numbers held two different events, {reused.Min}..{reused.Max}");

        // False corruption: verify may name the flipped places and nothing else; after a flip it must name them.
        var allowed = run.Flipped.ToHashSet();
        long falseCorruption = 0;
        foreach (var report in new[] { run.FlipVerify, run.FinalVerify })
        {
            if (report is null) continue;
            string when = ReferenceEquals(report, run.FlipVerify) ? "after the flip" : "at the end";
            foreach (var f in report.Findings)
            {
                if (allowed.Contains((f.File, f.Offset))) continue;
                falseCorruption++;
                details.Add($"verify {when} reports corruption where none was made: {f.File}: {f.Text}");
            }
        }
        if (run.FlipVerify is { } afterFlip)
        {
            foreach (var place in run.Flipped)
            {
                if (afterFlip.Findings.Any(f => (f.File, f.Offset) == place)) continue;
                falseCorruption++;
                details.Add($"verify after the flip does not report the corrupted place {place.File} offset {place.Offset}");
            }
        }

        details.Add("answers: " + Answers(run.Outcomes()));
        if (run.FaultUndoneAt is double undone && run.FaultLoadStoppedAt is double stopped)
        {
            // Storing again once the fault is gone is part of coping with it; half a second of grace.
            var after = run.Outcomes(undone + 0.5, stopped);
            bool stored = after.Any(o => o.Key.StartsWith('2'));
            details.Add($"answers from t={Seconds(undone + 0.5)} (fault undone at t={Seconds(undone)}) to t={Seconds(stopped)}: "
                + Answers(after) + (stored ? "" : " (nothing stored any more once the fault was gone)"));
        }
        var log = new StringBuilder();
        foreach (var text in (string[])["segment write failed", "fsync failed", "recovered ", "retention: deleted", "unexpected", "cannot start"])
        {
            int n = run.DaemonLogCount(text);
            if (n > 0) log.Append(log.Length > 0 ? ", " : "").Append($"{n}x \"{text.Trim()}\"");
        }
        if (log.Length > 0) details.Add("daemon log: " + log);
        foreach (var snapshot in run.Snapshots)
            if (snapshot.Warnings.Count > 0)
                details.Add($"read ({snapshot.Label}) warned {snapshot.Warnings.Count}x, first: {snapshot.Warnings[0]}");
        details.AddRange(run.Notes);
        details.Add("timeline: " + string.Join(", ", run.Timeline));

        return new ScenarioVerdict
        {
            Name = run.Scenario.Name,
            Completed = incomplete is null,
            Incomplete = incomplete,
            Acknowledged = acknowledged,
            Lost = lost,
            ExpectedLoss = expected,
            SequenceReuse = reused.Count,
            FalseCorruption = falseCorruption,
            Details = details,
        };
    }

    private static string Answers(SortedDictionary<string, int> outcomes)
        => outcomes.Count == 0 ? "none" : string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"));

    private static string Seconds(double s) => s.ToString("0.0", CultureInfo.InvariantCulture);
}
