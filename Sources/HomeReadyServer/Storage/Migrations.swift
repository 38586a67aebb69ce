import Foundation
import Logging
import SQLKit

/// One frozen schema step. Never edit a shipped migration: add a new one.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// Statements run in order inside one transaction; both dialects must accept each one as written.
    let statements: [String]
    /// Statements for SQLite only, run after `statements` (a table rebuild PostgreSQL does not need).
    var sqliteOnly: [String] = []
    /// Statements for PostgreSQL only, run after `statements` (what SQLite writes differently, such as triggers).
    var postgresOnly: [String] = []
    /// Statements run last, in both dialects.
    var finally: [String] = []

    /// Every statement to run on `backend`, in order.
    func statements(for backend: SQLBackend) -> [String] {
        statements + (backend == .sqlite ? sqliteOnly : postgresOnly) + finally
    }
}

/// The schema's history. Migrations use plain SQL both dialects accept and never depend on app types.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "inventory", statements: [
            """
            CREATE TABLE sites (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, timezone TEXT, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE campaigns (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, profile_id TEXT NOT NULL,
                cutover_date TEXT NOT NULL CHECK (length(cutover_date) = 10),
                freshness_hours INTEGER NOT NULL DEFAULT 72 CHECK (freshness_hours > 0),
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE teams (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, site_id TEXT REFERENCES sites(id),
                created_at BIGINT NOT NULL)
            """,
            "CREATE TABLE roles (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE role_kit (
                role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (length(kind) > 0), PRIMARY KEY (role_id, kind))
            """,
            """
            CREATE TABLE agents (
                id TEXT PRIMARY KEY, employee_id TEXT NOT NULL UNIQUE CHECK (length(employee_id) > 0),
                name TEXT NOT NULL, contact TEXT,
                site_id TEXT REFERENCES sites(id), campaign_id TEXT REFERENCES campaigns(id),
                team_id TEXT REFERENCES teams(id), role_id TEXT REFERENCES roles(id),
                last_report_at BIGINT, last_verdict TEXT
                    CHECK (last_verdict IN ('ready', 'ready_with_warnings', 'not_ready', 'incomplete')),
                equipment_status TEXT NOT NULL DEFAULT 'complete'
                    CHECK (equipment_status IN ('complete', 'unverified', 'missing')),
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX agents_site ON agents(site_id)",
            "CREATE INDEX agents_campaign ON agents(campaign_id)",
            "CREATE INDEX agents_team ON agents(team_id)",
            """
            CREATE TABLE equipment_items (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (length(kind) > 0), model TEXT, serial TEXT,
                asset_tag TEXT UNIQUE, agent_id TEXT REFERENCES agents(id),
                state TEXT NOT NULL CHECK (state IN ('requested', 'allocated', 'shipped', 'delivered', 'accepted',
                    'verified', 'returned', 'lost', 'faulty')),
                carrier TEXT, tracking_number TEXT, shipped_at BIGINT, delivered_at BIGINT,
                replaces_id TEXT REFERENCES equipment_items(id), updated_at BIGINT NOT NULL,
                CHECK (state NOT IN ('shipped', 'delivered', 'accepted', 'verified') OR tracking_number IS NOT NULL
                    OR shipped_at IS NULL))
            """,
            "CREATE INDEX equipment_agent ON equipment_items(agent_id)",
            "CREATE INDEX equipment_state ON equipment_items(state, shipped_at)",
            """
            CREATE TABLE equipment_audit (
                id TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES equipment_items(id), at BIGINT NOT NULL,
                actor TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, note TEXT)
            """,
            "CREATE INDEX equipment_audit_item ON equipment_audit(item_id, at)",
            """
            CREATE TABLE devices (
                id TEXT PRIMARY KEY, agent_id TEXT NOT NULL REFERENCES agents(id), public_key TEXT,
                hostname TEXT, enrolled_at BIGINT NOT NULL, revoked_at BIGINT)
            """,
            """
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
                role TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'device')),
                device_id TEXT REFERENCES devices(id), label TEXT, created_at BIGINT NOT NULL, revoked_at BIGINT,
                CHECK ((role = 'device') = (device_id IS NOT NULL)))
            """,
            """
            CREATE TABLE enrollment_codes (
                hash TEXT PRIMARY KEY CHECK (length(hash) = 64), agent_id TEXT NOT NULL REFERENCES agents(id),
                expires_at BIGINT NOT NULL, used_at BIGINT, device_id TEXT REFERENCES devices(id),
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE reports (
                report_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL REFERENCES agents(id),
                device_id TEXT REFERENCES devices(id),
                started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, received_at BIGINT NOT NULL,
                verdict TEXT NOT NULL CHECK (verdict IN ('ready', 'ready_with_warnings', 'not_ready', 'incomplete')),
                profile_id TEXT NOT NULL, profile_version INTEGER NOT NULL, body TEXT NOT NULL)
            """,
            "CREATE INDEX reports_agent_finished ON reports(agent_id, finished_at)",
            """
            CREATE TABLE check_states (
                agent_id TEXT NOT NULL REFERENCES agents(id), check_id TEXT NOT NULL, status TEXT NOT NULL,
                first_failed_at BIGINT, last_passed_at BIGINT, last_seen_at BIGINT NOT NULL,
                PRIMARY KEY (agent_id, check_id))
            """,
            """
            CREATE TABLE readiness_daily (
                day TEXT NOT NULL, scope TEXT NOT NULL CHECK (scope IN ('site', 'campaign', 'team', 'all')),
                scope_id TEXT NOT NULL, ready INTEGER NOT NULL, at_risk INTEGER NOT NULL,
                not_ready INTEGER NOT NULL, unknown INTEGER NOT NULL, PRIMARY KEY (day, scope, scope_id))
            """,
        ]),
        Migration(version: 2, name: "webhooks", statements: [
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY, url TEXT NOT NULL CHECK (url LIKE 'http%'), secret TEXT NOT NULL,
                events TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                event TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT, delivered_at BIGINT, last_status INTEGER, last_error TEXT,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(delivered_at, next_attempt_at)",
            """
            CREATE TABLE webhook_attempts (
                id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
                at BIGINT NOT NULL, status INTEGER, error TEXT, duration_ms BIGINT NOT NULL)
            """,
            "CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, at)",
            "ALTER TABLE equipment_items ADD COLUMN overdue_notified_at BIGINT",
        ]),
        // Performance (issue 6): the roll-up reads only this index, never the agents table itself.
        Migration(version: 3, name: "rollup-index", statements: [
            """
            CREATE INDEX agents_rollup ON agents(
                campaign_id, site_id, team_id, last_report_at, last_verdict, equipment_status)
            """,
        ]),
        Migration(version: 4, name: "device trust", statements: [
            "ALTER TABLE devices ADD COLUMN revoked_reason TEXT",
            """
            CREATE TABLE report_signatures (
                report_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(id),
                signature TEXT NOT NULL, received_at BIGINT NOT NULL)
            """,
        ]),
        Migration(version: 5, name: "dashboard", statements: DashboardSchema.statements),
        Migration(version: 6, name: "admin_audit", statements: [
            """
            CREATE TABLE admin_audit (
                id TEXT PRIMARY KEY, at BIGINT NOT NULL, token_id TEXT NOT NULL, method TEXT NOT NULL,
                path TEXT NOT NULL, status INTEGER NOT NULL, request_id TEXT)
            """,
        ]),
        // Leaner ingestion (each report writes fewer index pages):
        // - every report moves each passing check's `last_passed_at`, so an index over all check states was
        //   rewritten some twenty times a report; the alerts page reads failing checks that passed before, and
        //   only those are indexed now (both dialects take partial indexes);
        // - the device's signature becomes a column of its report instead of a second table and index;
        // - on SQLite, check states are keyed by (agent, check) alone (WITHOUT ROWID: one B-tree, not two).
        Migration(
            version: 7, name: "lean_ingest",
            statements: [
                "DROP INDEX check_states_failing",
                "ALTER TABLE reports ADD COLUMN signature TEXT",
                """
                UPDATE reports SET signature =
                    (SELECT s.signature FROM report_signatures s WHERE s.report_id = reports.report_id)
                """,
                "DROP TABLE report_signatures",
            ],
            sqliteOnly: [
                """
                CREATE TABLE check_states_rebuilt (
                    agent_id TEXT NOT NULL REFERENCES agents(id), check_id TEXT NOT NULL, status TEXT NOT NULL,
                    first_failed_at BIGINT, last_passed_at BIGINT, last_seen_at BIGINT NOT NULL,
                    PRIMARY KEY (agent_id, check_id)) WITHOUT ROWID
                """,
                """
                INSERT INTO check_states_rebuilt
                SELECT agent_id, check_id, status, first_failed_at, last_passed_at, last_seen_at FROM check_states
                """,
                "DROP TABLE check_states",
                "ALTER TABLE check_states_rebuilt RENAME TO check_states",
            ],
            finally: [
                """
                CREATE INDEX check_states_alerting ON check_states(agent_id, check_id)
                WHERE status = 'fail' AND last_passed_at IS NOT NULL
                """,
            ]),
        // Quiet check states (each report writes only the checks whose status changed):
        // - `agents.checks_digest` names the set of check ids of the agent's latest report, `agents.checks_since`
        //   when that set began (the report that wrote all its checks);
        // - a check state written at or after `checks_since` is in the latest report: it was last seen at the
        //   agent's `last_report_at`, and if it passes, that is also when it last passed;
        // - `agents.checks_statuses` names those checks with their statuses: a report that repeats it writes no
        //   check state at all;
        // - `current_check_states` gives every check state with those times applied; readers use it.
        Migration(version: 8, name: "quiet_check_states", statements: [
            "ALTER TABLE agents ADD COLUMN checks_digest TEXT",
            "ALTER TABLE agents ADD COLUMN checks_since BIGINT",
            "ALTER TABLE agents ADD COLUMN checks_statuses TEXT",
            """
            CREATE VIEW current_check_states AS
            SELECT cs.agent_id, cs.check_id, cs.status, cs.first_failed_at,
                CASE WHEN a.checks_since IS NOT NULL AND cs.last_seen_at >= a.checks_since AND cs.status = 'pass'
                     THEN a.last_report_at ELSE cs.last_passed_at END AS last_passed_at,
                CASE WHEN a.checks_since IS NOT NULL AND cs.last_seen_at >= a.checks_since
                     THEN a.last_report_at ELSE cs.last_seen_at END AS last_seen_at
            FROM check_states cs JOIN agents a ON a.id = cs.agent_id
            """,
        ]),
        // Readiness the server stands behind (the server judges every report against the assigned profile):
        // - `reports.verdict` and `agents.last_verdict` are the server's; the agent's own verdict is kept as
        //   `reports.claimed_verdict`, for diagnosis only; `verdict_reason` says in plain words why a report
        //   cannot count (it covers only part of the profile, another profile, stale measurements);
        // - verdicts stored before this step were the agents' claims: they become `incomplete` until the agent
        //   checks again;
        // - `profile_versions` keeps every version of a profile the server served, so a report made against the
        //   previous one is judged with it during the campaign's grace period (`campaigns.profile_grace_hours`);
        // - `campaigns.browser_reports_count` says whether a browser self-test can make an agent ready;
        // - `equipment_items.usb_identity` (VVVV:PPPP or VVVV:PPPP:SERIAL) names the very device shipped.
        Migration(version: 9, name: "server_judging", statements: [
            "ALTER TABLE reports ADD COLUMN claimed_verdict TEXT",
            "ALTER TABLE reports ADD COLUMN verdict_reason TEXT",
            "UPDATE reports SET claimed_verdict = verdict",
            "ALTER TABLE agents ADD COLUMN last_verdict_reason TEXT",
            """
            UPDATE agents SET last_verdict = 'incomplete',
                last_verdict_reason = 'the last report was stored before the server judged reports itself: run the check again'
            WHERE last_verdict IS NOT NULL
            """,
            "ALTER TABLE campaigns ADD COLUMN profile_grace_hours INTEGER NOT NULL DEFAULT 24 CHECK (profile_grace_hours >= 0)",
            "ALTER TABLE campaigns ADD COLUMN browser_reports_count INTEGER NOT NULL DEFAULT 0 CHECK (browser_reports_count IN (0, 1))",
            "ALTER TABLE equipment_items ADD COLUMN usb_identity TEXT",
            """
            CREATE TABLE profile_versions (
                profile_id TEXT NOT NULL, version INTEGER NOT NULL, digest TEXT NOT NULL, yaml TEXT NOT NULL,
                first_seen_at BIGINT NOT NULL, PRIMARY KEY (profile_id, digest))
            """,
        ]),
        // Browser self-test (issue 17):
        // - a personal link names one agent, expires, can be revoked and stores at most `max_uses` reports; only
        //   the SHA-256 of its token is kept;
        //   (`campaigns.browser_reports_count`, whether such a report can make an agent ready, came in step 9.)
        Migration(version: 10, name: "self_test_links", statements: [
            """
            CREATE TABLE self_test_links (
                id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
                agent_id TEXT NOT NULL REFERENCES agents(id), created_at BIGINT NOT NULL, created_by TEXT,
                expires_at BIGINT NOT NULL, revoked_at BIGINT,
                max_uses INTEGER NOT NULL CHECK (max_uses > 0), uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
                last_used_at BIGINT, CHECK (uses <= max_uses))
            """,
            "CREATE INDEX self_test_links_agent ON self_test_links(agent_id, created_at)",
        ]),
        // Which evidence readiness rests on (issue 17): each report's source (`cli`, the full check, or
        // `browser`, the self-test page) and the agent's latest counting one. Reports stored before carry their
        // source in the body only.
        Migration(version: 11, name: "report_evidence", statements: [
            "ALTER TABLE reports ADD COLUMN source TEXT NOT NULL DEFAULT 'cli' CHECK (source IN ('cli', 'browser'))",
            "UPDATE reports SET source = 'browser' WHERE body LIKE '%\"source\":\"browser\"%'",
            "ALTER TABLE agents ADD COLUMN last_report_source TEXT CHECK (last_report_source IN ('cli', 'browser'))",
            """
            UPDATE agents SET last_report_source = COALESCE(
                (SELECT r.source FROM reports r WHERE r.agent_id = agents.id ORDER BY r.finished_at DESC LIMIT 1), 'cli')
            WHERE last_report_at IS NOT NULL
            """,
        ]),
        // The language each agent reads (issue 19): `es` or `en` from the roster, empty when not known.
        Migration(version: 12, name: "agent_language", statements: [
            "ALTER TABLE agents ADD COLUMN language TEXT CHECK (language IN ('es', 'en'))"
        ]),
        // The server's own signing keys (issue 20): one row per purpose (`readiness`: the Ed25519 key that signs
        // readiness statements), created once by whichever instance needs it first (`INSERT … ON CONFLICT DO
        // NOTHING`, then read back), so every instance on one database signs with the same key.
        Migration(version: 13, name: "signing_keys", statements: [
            """
            CREATE TABLE signing_keys (
                purpose TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE,
                algorithm TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
                private_key TEXT NOT NULL, public_key TEXT NOT NULL, created_at BIGINT NOT NULL)
            """
        ]),
        // Instructions from IT to agents (issue 20): one `instructions` row per send; the target (an agent, a team,
        // a campaign) is resolved when it is sent, into one `instruction_deliveries` row per agent (fetched and
        // acknowledged by one of the agent's devices). `agent_instruction_state` is the poll's one-row answer:
        // `version` moves whenever the agent's pending instructions change (a send, an ack, an expiry) and is the
        // ETag; `next_expiry_at` is the earliest expiry among them, so a poll finds out without reading them.
        Migration(version: 14, name: "instructions", statements: [
            """
            CREATE TABLE instructions (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('check_now', 'message', 'profile_changed', 'drill_started')),
                text TEXT, texts TEXT, drill_id TEXT,
                target_type TEXT NOT NULL CHECK (target_type IN ('agent', 'team', 'campaign')),
                target_id TEXT NOT NULL, recipients INTEGER NOT NULL CHECK (recipients >= 0),
                created_at BIGINT NOT NULL, created_by TEXT, expires_at BIGINT,
                CHECK (kind <> 'message' OR (text IS NOT NULL AND length(text) > 0)))
            """,
            "CREATE INDEX instructions_created ON instructions(created_at)",
            """
            CREATE TABLE instruction_deliveries (
                agent_id TEXT NOT NULL REFERENCES agents(id),
                instruction_id TEXT NOT NULL REFERENCES instructions(id) ON DELETE CASCADE,
                expires_at BIGINT, fetched_at BIGINT, fetched_by TEXT, acked_at BIGINT, acked_by TEXT,
                PRIMARY KEY (agent_id, instruction_id))
            """,
            "CREATE INDEX instruction_deliveries_pending ON instruction_deliveries(agent_id) WHERE acked_at IS NULL",
            "CREATE INDEX instruction_deliveries_instruction ON instruction_deliveries(instruction_id)",
            """
            CREATE TABLE agent_instruction_state (
                agent_id TEXT PRIMARY KEY REFERENCES agents(id), version BIGINT NOT NULL, next_expiry_at BIGINT)
            """,
        ]),
        // Shift-aware schedules (issue 20): a campaign's shift windows, which the device fetches with its profile
        // to run its check shortly before and during shifts. `campaign_schedules` holds the campaign-wide settings
        // (check `lead_minutes` before each start, then every `every_minutes` during the shift); `campaign_shifts`
        // its windows in order: `weekday_mask` bit 0 is Monday … bit 6 Sunday, `start_minute`/`end_minute` are
        // minutes after local midnight in `time_zone` (an IANA name); an end before the start crosses midnight.
        Migration(version: 15, name: "campaign_shifts", statements: [
            """
            CREATE TABLE campaign_schedules (
                campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
                lead_minutes INTEGER NOT NULL CHECK (lead_minutes BETWEEN 0 AND 720),
                every_minutes INTEGER NOT NULL CHECK (every_minutes BETWEEN 5 AND 720),
                updated_at BIGINT NOT NULL, updated_by TEXT)
            """,
            """
            CREATE TABLE campaign_shifts (
                campaign_id TEXT NOT NULL REFERENCES campaign_schedules(campaign_id) ON DELETE CASCADE,
                position INTEGER NOT NULL CHECK (position >= 0), name TEXT,
                weekday_mask INTEGER NOT NULL CHECK (weekday_mask BETWEEN 1 AND 127),
                start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
                end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
                time_zone TEXT NOT NULL CHECK (length(time_zone) > 0),
                CHECK (end_minute <> start_minute), PRIMARY KEY (campaign_id, position))
            """,
        ]),
        // Escalations (issue 20): a campaign's policy (`escalation_policies.policy`, JSON); the supervisor,
        // coordinator and director the roster names per agent (`agent_contacts`); one row per incident
        // (`escalations`; `open_key` = event:agent while unresolved, so one open incident per event and agent);
        // its chain's steps (`escalation_steps`; a conditional UPDATE from `pending` claims one for exactly one
        // instance); one row per message sent (`escalation_messages`) and per recipient the last one's time
        // (`escalation_windows`, claimed with ON CONFLICT … WHERE: one message per person per group interval);
        // the audit trail (`escalation_events`); the key that signs acknowledge/resolve links.
        Migration(version: 16, name: "escalations", statements: [
            """
            CREATE TABLE escalation_policies (
                campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
                policy TEXT NOT NULL, updated_at BIGINT NOT NULL, updated_by TEXT)
            """,
            """
            CREATE TABLE agent_contacts (
                agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('supervisor', 'coordinator', 'director')),
                name TEXT NOT NULL CHECK (length(name) > 0), email TEXT, chat_webhook TEXT,
                language TEXT CHECK (language IN ('es', 'en')),
                CHECK (email IS NOT NULL OR chat_webhook IS NOT NULL), PRIMARY KEY (agent_id, role))
            """,
            """
            CREATE TABLE escalations (
                id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
                agent_id TEXT NOT NULL REFERENCES agents(id),
                event TEXT NOT NULL
                    CHECK (event IN ('agent_regressed', 'check_stale', 'shipment_overdue', 'drill_unanswered')),
                severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
                status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
                detail TEXT NOT NULL, subject_id TEXT, open_key TEXT UNIQUE, raised_at BIGINT NOT NULL,
                acked_at BIGINT, acked_by TEXT, resolved_at BIGINT, resolved_by TEXT,
                CHECK ((status = 'resolved' AND open_key IS NULL) OR (status <> 'resolved' AND open_key IS NOT NULL)))
            """,
            "CREATE INDEX escalations_status ON escalations(status, raised_at)",
            "CREATE INDEX escalations_agent ON escalations(agent_id)",
            """
            CREATE TABLE escalation_steps (
                escalation_id TEXT NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
                position INTEGER NOT NULL CHECK (position >= 0),
                role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'coordinator', 'director')),
                due_at BIGINT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent', 'failed', 'cancelled')),
                group_interval_minutes INTEGER NOT NULL CHECK (group_interval_minutes > 0),
                claimed_by TEXT, claimed_at BIGINT, message_id TEXT, held_until BIGINT,
                PRIMARY KEY (escalation_id, position))
            """,
            "CREATE INDEX escalation_steps_due ON escalation_steps(state, due_at)",
            "CREATE INDEX escalation_steps_message ON escalation_steps(message_id)",
            """
            CREATE TABLE escalation_messages (
                id TEXT PRIMARY KEY, recipient_key TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('supervisor', 'coordinator', 'director')),
                sent_by TEXT NOT NULL, created_at BIGINT NOT NULL, escalations INTEGER NOT NULL CHECK (escalations > 0),
                outcome TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'failed')), deliveries TEXT)
            """,
            """
            CREATE TABLE escalation_windows (recipient_key TEXT PRIMARY KEY, last_message_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE escalation_events (
                id TEXT PRIMARY KEY, escalation_id TEXT NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL, at BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT, recipient TEXT, detail TEXT)
            """,
            "CREATE INDEX escalation_events_escalation ON escalation_events(escalation_id, seq)",
            """
            CREATE TABLE escalation_link_keys (
                id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
        ]),
        // Continuity drills (issue 20, point 4): a planner starts a drill over a campaign or a site with a deadline
        // (the recovery-time objective). The agents in scope are fixed when it starts (`drill_agents`, like an
        // instruction's recipients), so its figures keep meaning what they said; readiness during the drill is
        // read from the reports received since `started_at`. `target_permille` is the ready share aimed for
        // (900 = 90 %). `instruction_id` is the `drill_started` instruction sent to a campaign drill's agents.
        Migration(version: 17, name: "drills", statements: [
            """
            CREATE TABLE drills (
                id TEXT PRIMARY KEY, name TEXT,
                scope_type TEXT NOT NULL CHECK (scope_type IN ('campaign', 'site')), scope_id TEXT NOT NULL,
                started_at BIGINT NOT NULL, deadline_at BIGINT NOT NULL, closes_at BIGINT NOT NULL,
                target_permille INTEGER NOT NULL CHECK (target_permille BETWEEN 1 AND 1000),
                agents INTEGER NOT NULL CHECK (agents >= 0), instruction_id TEXT, created_by TEXT,
                CHECK (deadline_at > started_at AND closes_at >= deadline_at))
            """,
            "CREATE INDEX drills_started ON drills(started_at)",
            """
            CREATE TABLE drill_agents (
                drill_id TEXT NOT NULL REFERENCES drills(id) ON DELETE CASCADE,
                agent_id TEXT NOT NULL REFERENCES agents(id), PRIMARY KEY (drill_id, agent_id))
            """,
        ]),
        // A fleet of 100,000 agents (issue 21). The equipment funnel counts, per state, the items that ever
        // reached it: kept up to date with each audit entry (`SQLRepository.recordAudit`; the lifecycle reaches a
        // state at most once per item, so one entry is one item) instead of counting distinct items over the whole
        // audit log on every page view. The alerts page reads the newest regressions from a partial index in its
        // own order instead of sorting every failing check; the readiness export finds its check columns by
        // seeking from one check id to the next instead of reading every check state.
        Migration(version: 18, name: "fleet_aggregates", statements: [
            "CREATE TABLE equipment_funnel (state TEXT PRIMARY KEY, items BIGINT NOT NULL)",
            "INSERT INTO equipment_funnel (state, items) SELECT to_state, COUNT(*) FROM equipment_audit GROUP BY to_state",
            """
            CREATE INDEX check_states_regressions ON check_states ((COALESCE(first_failed_at, last_seen_at)) DESC, agent_id)
            WHERE status = 'fail' AND last_passed_at IS NOT NULL
            """,
            // The readiness export's columns: the distinct check ids, one index seek each (`distinctCheckIds`).
            "CREATE INDEX check_states_check ON check_states(check_id)",
        ]),
        // The dashboard's agent list in name order, a keyset page at a time (issue 21).
        Migration(version: 19, name: "agents_by_name", statements: [
            "CREATE INDEX agents_name ON agents(name, id)",
        ]),
        // Readiness counts kept up to date (issue 21): triggers on `agents` keep a tally per campaign, site, team
        // and standing; a periodic sweep moves the agents whose last report aged out of their campaign's freshness
        // window to `lapsed` and records how far it went, so a count reads the tallies plus the agents that aged
        // out since the sweep (a range of `agents_freshness`), never the whole fleet. See `ReadinessTallies`.
        Migration(
            version: 20, name: "readiness_tallies", statements: ReadinessTallies.migrationStatements,
            sqliteOnly: ReadinessTallies.sqliteTriggers, postgresOnly: ReadinessTallies.postgresTriggers),
        // A webhook's deliveries a page at a time (issue 21): without it each page, and each cascade when a
        // webhook is deleted, read every delivery of every webhook.
        Migration(version: 21, name: "webhook_deliveries_by_webhook", statements: [
            "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at, id)",
        ]),
    ]

    /// Applies every migration not yet applied, in one transaction each; safe with several instances starting
    /// at once (PostgreSQL advisory lock; SQLite's write lock).
    static func run(on store: SQLStore, logger: Logger) async throws {
        try await store.withConnection { db in
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for migration in all {
            try await store.transaction { db in
                if store.backend == .postgres {
                    try await db.raw("SELECT pg_advisory_xact_lock(7406318)").run()
                }
                let rows = try await db.raw(
                    "SELECT name FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).all()
                if let row = rows.first {
                    guard try row.decode(column: "name", as: String.self) == migration.name else {
                        throw ServerError.migrationChanged(migration.version)
                    }
                    return
                }
                for statement in migration.statements(for: store.backend) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Clock.millis(Date())))
                    """
                ).run()
                logger.info("migration.applied", metadata: ["migration.version": "\(migration.version)"])
            }
        }
    }
}

/// Times are stored as milliseconds since 1970 (BIGINT) in both dialects.
enum Clock {
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
