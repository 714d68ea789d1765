namespace Ingestd.Parsing.Processing;

/// <summary>
/// <c>route</c>: tags the event with named routes (for the outputs of issue #13). An event no route step tagged has the
/// default route <c>store</c> (stored as no tags). Once tagged, its routes are exactly the tags given (list <c>store</c>
/// among them to keep the default too); later route steps add theirs, each name once.
/// </summary>
internal sealed class RouteStep(byte[][] routes) : Step
{
    public override string Type => "route";

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        var current = work.Routes;
        bool added = false;
        foreach (var route in routes)
        {
            if (Contains(current.Span, route)) continue;
            // The record stores the list with a u16 length; a list that long is a configuration mistake, not data.
            if (current.Length + 1 + route.Length > ushort.MaxValue) break;
            if (current.Length > 0) current.Append(","u8);
            current.Append(route);
            added = true;
        }
        if (!added) return StepOutcome.Unchanged;
        work.RoutesChanged = true;
        return StepOutcome.Applied;
    }

    private static bool Contains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> name)
    {
        foreach (var range in list.Split((byte)','))
            if (list[range].SequenceEqual(name)) return true;
        return false;
    }
}
