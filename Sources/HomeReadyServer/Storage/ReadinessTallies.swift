import Foundation
import HomeReadyModel
import SQLKit

/// Readiness counts kept up to date instead of counted by a scan of every agent (migration 20).
///
/// Each agent stands in exactly one tally row, keyed by campaign, site and team ('' for none) and its standing:
/// - `unreported`: no report yet (counted `unknown`);
/// - `held`: its verdict is `not_ready`/`incomplete` or its kit is missing (`not_ready` whatever its age);
/// - `warned`: `ready_with_warnings` or an unverified kit (`at_risk` while fresh);
/// - `clear`: the rest (`ready` while fresh);
/// - `lapsed`: its last report is older than its campaign's watermark (`not_ready`).
///
/// Triggers on `agents` move an agent between rows when any of those inputs change. Time alone cannot fire a
/// trigger, so `readiness_watermarks` records, per campaign, the cut-off up to which the sweep (`sweepLapsedReadiness`,
/// run every minute by `ReadinessLapseService`) has moved aged-out agents to `lapsed`. A count is then exact at
/// any instant: the tallies, plus the agents whose last report falls between the watermark and this instant's
/// cut-off (one index range per campaign in `agents_freshness`), moved from their standing to `not_ready` (or
/// back, when the reader's clock is behind the sweeper's). The work grows with the agents that aged out since the
/// last sweep, not with the fleet.
///
/// The standing's SQL is frozen with migration 20: the triggers store it and the counts read it, so a change needs
/// a new migration that replaces the triggers and rebuilds the tallies (`rebuildReadinessTallies`).
enum ReadinessTallies {
    /// The PostgreSQL advisory lock a sweep holds alone and every change to `agents` holds shared, so a sweep
    /// never moves an agent whose change is still uncommitted under the old watermark.
    static let sweepLock = 7_406_320

    /// A lower bound below every stored time, for a campaign with no watermark yet.
    static let beforeAllTimes: Int64 = -9_000_000_000_000_000_000

    /// The standing of `row` (a table alias or `NEW`/`OLD`) without its age: `unreported`, `held`, `warned` or
    /// `clear`.
    static func standingIgnoringAge(_ row: String) -> String {
        """
        CASE WHEN \(row).last_report_at IS NULL THEN 'unreported'
             WHEN \(row).last_verdict IN ('not_ready', 'incomplete') OR \(row).equipment_status = 'missing' THEN 'held'
             WHEN \(row).last_verdict = 'ready_with_warnings' OR \(row).equipment_status = 'unverified' THEN 'warned'
             ELSE 'clear' END
        """
    }

    /// The standing of `row` as its tally row holds it: `lapsed` when its last report is older than its
    /// campaign's watermark, else `standingIgnoringAge`.
    static func standing(_ row: String) -> String {
        """
        CASE WHEN \(row).last_report_at < (SELECT w.lapsed_before FROM readiness_watermarks w
                                           WHERE w.campaign_key = COALESCE(\(row).campaign_id, ''))
             THEN 'lapsed'
             ELSE \(standingIgnoringAge(row)) END
        """
    }

    /// The tally key columns of `row`.
    static func keys(_ row: String) -> String {
        "COALESCE(\(row).campaign_id, ''), COALESCE(\(row).site_id, ''), COALESCE(\(row).team_id, '')"
    }

    /// Both dialects: the tables, the tallies of the agents already there (nothing lapsed until the first sweep),
    /// and the index the counts read aged-out agents from, which replaces the scan's covering index.
    static let migrationStatements: [String] = [
        """
        CREATE TABLE readiness_tallies (
            campaign_key TEXT NOT NULL, site_key TEXT NOT NULL, team_key TEXT NOT NULL,
            standing TEXT NOT NULL CHECK (standing IN ('unreported', 'held', 'warned', 'clear', 'lapsed')),
            agents BIGINT NOT NULL,
            PRIMARY KEY (campaign_key, site_key, team_key, standing))
        """,
        """
        CREATE TABLE readiness_watermarks (
            campaign_key TEXT PRIMARY KEY, lapsed_before BIGINT NOT NULL, freshness_hours INTEGER NOT NULL)
        """,
        rebuildStatement,
        "DROP INDEX agents_rollup",
        """
        CREATE INDEX agents_freshness ON agents(
            campaign_id, last_report_at, site_id, team_id, last_verdict, equipment_status)
        """,
    ]

    /// Fills the (empty) tallies from `agents`, with no watermarks: every agent by its standing ignoring age.
    static let rebuildStatement = """
        INSERT INTO readiness_tallies (campaign_key, site_key, team_key, standing, agents)
        SELECT COALESCE(a.campaign_id, ''), COALESCE(a.site_id, ''), COALESCE(a.team_id, ''),
               \(standingIgnoringAge("a")), COUNT(*)
        FROM agents a
        GROUP BY COALESCE(a.campaign_id, ''), COALESCE(a.site_id, ''), COALESCE(a.team_id, ''),
                 \(standingIgnoringAge("a"))
        """

    /// Adds `delta` to the tally of `row`'s keys and standing (SQLite trigger body).
    private static func sqliteTally(_ row: String, _ delta: Int) -> String {
        """
        INSERT INTO readiness_tallies (campaign_key, site_key, team_key, standing, agents)
            VALUES (\(keys(row)), \(standing(row)), \(delta))
            ON CONFLICT (campaign_key, site_key, team_key, standing)
            DO UPDATE SET agents = readiness_tallies.agents + excluded.agents;
        """
    }

    /// SQLite: row triggers (one writer at a time, so no locking is needed). An update that moves no input of
    /// the standing does nothing: most reports of a steady agent only move its last report's time, which changes
    /// the standing only across its campaign's watermark (one look-up) or from none to some.
    static let sqliteTriggers: [String] = [
        "CREATE TRIGGER readiness_tallies_insert AFTER INSERT ON agents BEGIN \(sqliteTally("NEW", 1)) END",
        """
        CREATE TRIGGER readiness_tallies_update
        AFTER UPDATE OF campaign_id, site_id, team_id, last_report_at, last_verdict, equipment_status ON agents
        WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.site_id IS NOT NEW.site_id
             OR OLD.team_id IS NOT NEW.team_id OR OLD.last_verdict IS NOT NEW.last_verdict
             OR OLD.equipment_status IS NOT NEW.equipment_status
             OR (OLD.last_report_at IS NULL) <> (NEW.last_report_at IS NULL)
             OR EXISTS (SELECT 1 FROM readiness_watermarks w WHERE w.campaign_key = COALESCE(NEW.campaign_id, '')
                        AND (OLD.last_report_at < w.lapsed_before) <> (NEW.last_report_at < w.lapsed_before))
        BEGIN \(sqliteTally("OLD", -1)) \(sqliteTally("NEW", 1)) END
        """,
        "CREATE TRIGGER readiness_tallies_delete AFTER DELETE ON agents BEGIN \(sqliteTally("OLD", -1)) END",
    ]

    /// The rows of one PostgreSQL transition table with their delta, for `postgresTriggers`.
    private static func postgresChanges(_ table: String, _ delta: Int) -> String {
        "SELECT \(keys("r")), \(standing("r")), \(delta) FROM \(table) r"
    }

    /// Adds up `changes` (keys, standing, delta) per tally row, in key order so concurrent statements lock the
    /// rows in one order.
    private static func postgresApply(_ changes: String) -> String {
        """
        INSERT INTO readiness_tallies AS t (campaign_key, site_key, team_key, standing, agents)
            SELECT campaign_key, site_key, team_key, standing, SUM(delta) FROM (\(changes))
                AS changes (campaign_key, site_key, team_key, standing, delta)
            GROUP BY campaign_key, site_key, team_key, standing HAVING SUM(delta) <> 0
            ORDER BY campaign_key, site_key, team_key, standing
            ON CONFLICT (campaign_key, site_key, team_key, standing) DO UPDATE SET agents = t.agents + excluded.agents;
        """
    }

    /// PostgreSQL: statement triggers over transition tables (one grouped upsert per statement, however many
    /// agents it changed), holding `sweepLock` shared until the commit.
    static let postgresTriggers: [String] = [
        """
        CREATE FUNCTION readiness_tallies_follow() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(\(sweepLock));
            IF TG_OP = 'INSERT' THEN
                \(postgresApply(postgresChanges("new_rows", 1)))
            ELSIF TG_OP = 'UPDATE' THEN
                \(postgresApply(postgresChanges("old_rows", -1) + " UNION ALL " + postgresChanges("new_rows", 1)))
            ELSE
                \(postgresApply(postgresChanges("old_rows", -1)))
            END IF;
            RETURN NULL;
        END
        $body$
        """,
        """
        CREATE TRIGGER readiness_tallies_insert AFTER INSERT ON agents REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION readiness_tallies_follow()
        """,
        """
        CREATE TRIGGER readiness_tallies_update AFTER UPDATE ON agents
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION readiness_tallies_follow()
        """,
        """
        CREATE TRIGGER readiness_tallies_delete AFTER DELETE ON agents REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION readiness_tallies_follow()
        """,
    ]

    /// Per campaign ('' for agents without one): its freshness cut-off at `now`, its watermark, and the range of
    /// last-report times the tallies count wrongly at `now`: `[watermark, cut-off)` aged out since the sweep
    /// (`lapsing`), or `[cut-off, watermark)` when `now` is behind the sweep's clock (`returning`).
    ///
    /// Each campaign's range is read from `agents_freshness` by one index range. PostgreSQL, which cannot tell how
    /// narrow the ranges are, hashed the whole agents table instead (59 ms at 100,000 agents): there the agents
    /// come from a `LATERAL` subquery that `OFFSET 0` keeps from being flattened into a join, one index range per
    /// campaign. SQLite has no `LATERAL` and already loops over the campaigns.
    static func bounds(now: Int64, postgres: Bool) -> SQLQueryString {
        /// The agents of bounds `b` matching `condition` on agent `a`, in the dialect's form.
        func range(_ condition: String) -> String {
            let inRange = "\(condition) AND a.last_report_at >= b.low AND a.last_report_at < b.high"
            guard postgres else { return "bounds b JOIN agents a ON \(inRange)" }
            return """
                bounds b CROSS JOIN LATERAL (
                    SELECT a.campaign_id, a.site_id, a.team_id, a.last_report_at, a.last_verdict, a.equipment_status
                    FROM agents a WHERE \(inRange) OFFSET 0) a
                """
        }
        return """
        windows AS (
            SELECT id AS campaign_key, freshness_hours,
                   \(literal: now) - CAST(freshness_hours AS BIGINT) * 3600000 AS cutoff
            FROM campaigns
            UNION ALL SELECT '', 72, \(literal: now - 72 * 3_600_000)
        ),
        bounds AS (
            SELECT f.campaign_key, f.freshness_hours, f.cutoff,
                   CASE WHEN w.lapsed_before IS NULL THEN \(literal: beforeAllTimes)
                        WHEN f.cutoff >= w.lapsed_before THEN w.lapsed_before ELSE f.cutoff END AS low,
                   CASE WHEN w.lapsed_before IS NULL OR f.cutoff >= w.lapsed_before THEN f.cutoff
                        ELSE w.lapsed_before END AS high,
                   CASE WHEN w.lapsed_before IS NULL OR f.cutoff >= w.lapsed_before THEN 'lapsing'
                        ELSE 'returning' END AS direction
            FROM windows f LEFT JOIN readiness_watermarks w ON w.campaign_key = f.campaign_key
        ),
        changing AS (
            SELECT b.campaign_key, COALESCE(a.site_id, '') AS site_key, COALESCE(a.team_id, '') AS team_key,
                   b.direction, \(unsafeRaw: standingIgnoringAge("a")) AS standing
            FROM \(unsafeRaw: range("a.campaign_id = b.campaign_key"))
            UNION ALL
            SELECT '', COALESCE(a.site_id, ''), COALESCE(a.team_id, ''), b.direction,
                   \(unsafeRaw: standingIgnoringAge("a"))
            FROM \(unsafeRaw: range("b.campaign_key = '' AND a.campaign_id IS NULL"))
        )
        """
    }
}

extension SQLRepository {
    /// The fleet's readiness counts per campaign, site and team at `now`: the kept tallies, corrected for the
    /// agents that aged out (or, on a clock behind the sweep's, back in) since the last sweep. One statement, so
    /// one snapshot of both. What every roll-up, the overview, the capacity page and the agents page's totals add
    /// up.
    static func readinessCells(now: Date, on db: any SQLDatabase) async throws -> [ReadinessCell] {
        let rows = try await db.raw(
            """
            WITH \(ReadinessTallies.bounds(now: Clock.millis(now), postgres: db.dialect.name == "postgresql"))
            SELECT campaign_key, site_key, team_key, 'kept' AS kind, standing, agents FROM readiness_tallies
            WHERE agents <> 0
            UNION ALL
            SELECT campaign_key, site_key, team_key, direction, standing, COUNT(*) FROM changing
            GROUP BY campaign_key, site_key, team_key, direction, standing
            """
        ).all()
        struct Key: Hashable { let campaign, site, team: String }
        var cells: [Key: ReadinessCounts] = [:]
        for row in rows {
            let key = Key(campaign: try row.string("campaign_key"), site: try row.string("site_key"), team: try row.string("team_key"))
            let n = try row.int("agents")
            var counts = cells[key] ?? ReadinessCounts()
            let standing = try row.string("standing")
            switch try row.string("kind") {
            case "kept":
                switch standing {
                case "unreported": counts.unknown += n
                case "clear": counts.ready += n
                case "warned": counts.atRisk += n
                default: counts.notReady += n
                }
            case let direction:
                // Aged out since the sweep: from its standing to not_ready; `returning` is the reverse.
                let sign = direction == "lapsing" ? 1 : -1
                switch standing {
                case "clear": counts.ready -= sign * n
                case "warned": counts.atRisk -= sign * n
                default: continue
                }
                counts.notReady += sign * n
            }
            cells[key] = counts
        }
        func id(_ key: String) -> String? { key.isEmpty ? nil : key }
        return cells.filter { $0.value.total != 0 }
            .sorted { ($0.key.campaign, $0.key.site, $0.key.team) < ($1.key.campaign, $1.key.site, $1.key.team) }
            .map { ReadinessCell(campaignId: id($0.key.campaign), siteId: id($0.key.site), teamId: id($0.key.team), counts: $0.value) }
    }

    /// Moves the agents whose last report aged out of their campaign's freshness window by `now` to `lapsed` and
    /// advances each campaign's watermark to its cut-off (never back: a sweep on a slower clock leaves it). A
    /// campaign whose freshness window changed since its watermark was set rebuilds every tally first. Returns how
    /// many agents moved. Safe with several instances sweeping at once (SQLite's write lock; PostgreSQL's
    /// `sweepLock`).
    @discardableResult
    public func sweepLapsedReadiness(now: Date) async throws -> Int {
        try await writing(field: nil) { db in
            if db.dialect.name == "postgresql" {
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: ReadinessTallies.sweepLock))").run()
            }
            let changed = try await db.raw(
                """
                SELECT 1 AS changed FROM readiness_watermarks w LEFT JOIN campaigns c ON c.id = w.campaign_key
                WHERE w.campaign_key <> '' AND (c.id IS NULL OR c.freshness_hours <> w.freshness_hours)
                LIMIT 1
                """
            ).all()
            if !changed.isEmpty { try await Self.rebuildReadinessTallies(on: db) }
            let now = Clock.millis(now)
            let moves = try await db.raw(
                """
                WITH \(ReadinessTallies.bounds(now: now, postgres: db.dialect.name == "postgresql"))
                SELECT campaign_key, site_key, team_key, standing, COUNT(*) AS agents FROM changing
                WHERE direction = 'lapsing' AND standing <> 'unreported'
                GROUP BY campaign_key, site_key, team_key, standing
                ORDER BY campaign_key, site_key, team_key, standing
                """
            ).all()
            var moved = 0
            for move in moves {
                let (campaign, site, team) = (try move.string("campaign_key"), try move.string("site_key"), try move.string("team_key"))
                let n = try move.int("agents")
                moved += n
                try await db.raw(
                    """
                    INSERT INTO readiness_tallies AS t (campaign_key, site_key, team_key, standing, agents)
                    VALUES (\(bind: campaign), \(bind: site), \(bind: team), \(bind: try move.string("standing")), \(literal: -n)),
                           (\(bind: campaign), \(bind: site), \(bind: team), 'lapsed', \(literal: n))
                    ON CONFLICT (campaign_key, site_key, team_key, standing) DO UPDATE SET agents = t.agents + excluded.agents
                    """
                ).run()
            }
            try await db.raw(
                """
                WITH \(ReadinessTallies.bounds(now: now, postgres: db.dialect.name == "postgresql"))
                INSERT INTO readiness_watermarks (campaign_key, lapsed_before, freshness_hours)
                SELECT campaign_key, cutoff, freshness_hours FROM bounds WHERE direction = 'lapsing'
                ON CONFLICT (campaign_key) DO UPDATE
                SET lapsed_before = excluded.lapsed_before, freshness_hours = excluded.freshness_hours
                """
            ).run()
            return moved
        }
    }

    /// Recounts every tally from `agents` and forgets the watermarks (the next sweep sets them again). Inside the
    /// caller's transaction; on PostgreSQL the caller holds `sweepLock`.
    static func rebuildReadinessTallies(on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM readiness_watermarks").run()
        try await db.raw("DELETE FROM readiness_tallies").run()
        try await db.raw("\(unsafeRaw: ReadinessTallies.rebuildStatement)").run()
    }
}
