import type { Migration } from '@twilio-lab/backends';

export type MessageDirection = 'inbound' | 'outbound-api' | 'outbound-call' | 'outbound-reply';

export type MessageStatus =
  | 'accepted'
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled'
  | 'receiving'
  | 'received';

/** One row of `messages` (times are epoch ms). */
export interface MessageRow {
  sid: string;
  account_sid: string;
  direction: MessageDirection;
  status: MessageStatus;
  /** null while a Messaging Service has not picked the sender yet. */
  from_number: string | null;
  to_number: string;
  body: string;
  num_segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  num_media: number;
  /** JSON array of the media URLs (the sender needs them without a second query). */
  media_urls: string;
  messaging_service_sid: string | null;
  /** Resolved at creation: the message's StatusCallback, else its service's. */
  status_callback: string | null;
  validity_period: number | null;
  send_at: number | null;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  date_created: number;
  date_updated: number;
  date_sent: number | null;
}

export interface MediaRow {
  sid: string;
  account_sid: string;
  message_sid: string;
  content_type: string;
  url: string;
  date_created: number;
  date_updated: number;
}

export interface ServiceRow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: string;
  fallback_url: string | null;
  fallback_method: string;
  status_callback: string | null;
  sticky_sender: number;
  use_inbound_webhook_on_number: number;
  validity_period: number;
  /** JSON object with the settings the lab stores and echoes but does not act on. */
  settings: string;
  date_created: number;
  date_updated: number;
}

export interface ServiceNumberRow {
  service_sid: string;
  phone_number_sid: string;
  account_sid: string;
  date_created: number;
  date_updated: number;
}

/*
 * No index on the in-flight statuses: every message enters and leaves such an index (insert,
 * then a delete when it is sent), which measured as about a quarter of the writer thread's
 * time per message. Only recovery at startup asks for in-flight rows, and one table scan
 * there is cheaper than paying that on every message.
 */
export const messagingMigrations: readonly Migration[] = [
  {
    id: 'messaging-001-messages',
    sql: `
      CREATE TABLE messages (
        sid TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL,
        direction TEXT NOT NULL,
        status TEXT NOT NULL,
        from_number TEXT,
        to_number TEXT NOT NULL,
        body TEXT NOT NULL,
        num_segments INTEGER NOT NULL,
        encoding TEXT NOT NULL,
        num_media INTEGER NOT NULL,
        media_urls TEXT NOT NULL,
        messaging_service_sid TEXT,
        status_callback TEXT,
        validity_period INTEGER,
        send_at INTEGER,
        error_code INTEGER,
        error_message TEXT,
        price TEXT,
        date_created INTEGER NOT NULL,
        date_updated INTEGER NOT NULL,
        date_sent INTEGER
      );
      CREATE INDEX messages_by_account ON messages (account_sid, date_created, sid);
      CREATE INDEX messages_scheduled ON messages (send_at) WHERE status = 'scheduled';
    `,
  },
  {
    id: 'messaging-002-media',
    sql: `
      CREATE TABLE message_media (
        sid TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL,
        message_sid TEXT NOT NULL,
        content_type TEXT NOT NULL,
        url TEXT NOT NULL,
        date_created INTEGER NOT NULL,
        date_updated INTEGER NOT NULL
      );
      CREATE INDEX message_media_by_message ON message_media (message_sid, date_created, sid);
    `,
  },
  {
    id: 'messaging-003-opt-outs',
    sql: `
      CREATE TABLE messaging_opt_outs (
        account_sid TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        date_created INTEGER NOT NULL,
        PRIMARY KEY (account_sid, recipient, sender)
      );
    `,
  },
  {
    id: 'messaging-004-services',
    sql: `
      CREATE TABLE messaging_services (
        sid TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL,
        friendly_name TEXT NOT NULL,
        inbound_request_url TEXT,
        inbound_method TEXT NOT NULL,
        fallback_url TEXT,
        fallback_method TEXT NOT NULL,
        status_callback TEXT,
        sticky_sender INTEGER NOT NULL,
        use_inbound_webhook_on_number INTEGER NOT NULL,
        validity_period INTEGER NOT NULL,
        settings TEXT NOT NULL,
        date_created INTEGER NOT NULL,
        date_updated INTEGER NOT NULL
      );
      CREATE INDEX messaging_services_by_account ON messaging_services (account_sid, date_created, sid);
      CREATE TABLE messaging_service_numbers (
        service_sid TEXT NOT NULL,
        phone_number_sid TEXT NOT NULL UNIQUE,
        account_sid TEXT NOT NULL,
        date_created INTEGER NOT NULL,
        date_updated INTEGER NOT NULL,
        PRIMARY KEY (service_sid, phone_number_sid)
      );
    `,
  },
  {
    // Counts by status for the lab's status endpoint and the benchmark's reconciliation,
    // kept exact by triggers in the same transactions as the changes. Counting on demand
    // scanned the whole table on the main thread (tens of ms per 100k messages); the table
    // has no status index on purpose (see messaging-001).
    id: 'messaging-005-status-counts',
    sql: `
      CREATE TABLE message_status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
      INSERT INTO message_status_counts (status, n)
        SELECT status, COUNT(*) FROM messages GROUP BY status;
      CREATE TRIGGER message_status_counts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_status_counts (status, n) VALUES (new.status, 1)
          ON CONFLICT (status) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER message_status_counts_delete AFTER DELETE ON messages BEGIN
        UPDATE message_status_counts SET n = n - 1 WHERE status = old.status;
      END;
      CREATE TRIGGER message_status_counts_update AFTER UPDATE OF status ON messages
        WHEN old.status <> new.status BEGIN
        UPDATE message_status_counts SET n = n - 1 WHERE status = old.status;
        INSERT INTO message_status_counts (status, n) VALUES (new.status, 1)
          ON CONFLICT (status) DO UPDATE SET n = n + 1;
      END;
    `,
    // PostgreSQL: one counter row per (status, backend) and a view that sums them. Concurrent
    // transactions run on different backends, so they never wait on each other's counter row
    // lock (one row per status would serialise every writer behind the busiest status until
    // its commit). Readers see the same (status, n) rows as on SQLite.
    postgres: `
      CREATE TABLE message_status_count_slots (
        status TEXT NOT NULL,
        slot INTEGER NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (status, slot)
      );
      INSERT INTO message_status_count_slots (status, slot, n)
        SELECT status, 0, COUNT(*) FROM messages GROUP BY status;
      CREATE VIEW message_status_counts AS
        SELECT status, SUM(n)::BIGINT AS n FROM message_status_count_slots GROUP BY status;
      CREATE FUNCTION message_status_counts_bump() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO message_status_count_slots (status, slot, n) VALUES (OLD.status, pg_backend_pid(), -1)
            ON CONFLICT (status, slot) DO UPDATE SET n = message_status_count_slots.n - 1;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO message_status_count_slots (status, slot, n) VALUES (NEW.status, pg_backend_pid(), 1)
            ON CONFLICT (status, slot) DO UPDATE SET n = message_status_count_slots.n + 1;
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER message_status_counts_insert_delete AFTER INSERT OR DELETE ON messages
        FOR EACH ROW EXECUTE FUNCTION message_status_counts_bump();
      CREATE TRIGGER message_status_counts_update AFTER UPDATE OF status ON messages
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION message_status_counts_bump();
    `,
  },
  {
    // PostgreSQL: the counters move once per statement instead of once per row. The row
    // triggers of messaging-005 ran one or two upserts per message per status change (a few
    // tens of microseconds each, and the pipeline changes thousands of messages a second);
    // a statement over many rows (the store coalesces runs of like statements into one) now
    // costs one upsert per status it touches. SQLite keeps its row triggers: nothing to do.
    id: 'messaging-006-status-counts-per-statement',
    sql: 'SELECT 1',
    postgres: `
      CREATE FUNCTION message_status_counts_apply() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
      BEGIN
        -- Only the branch of the firing event runs, so each names only its own transition tables.
        IF TG_OP = 'INSERT' THEN
          INSERT INTO message_status_count_slots (status, slot, n)
            SELECT status, pg_backend_pid(), COUNT(*) FROM new_rows GROUP BY status
            ON CONFLICT (status, slot) DO UPDATE SET n = message_status_count_slots.n + EXCLUDED.n;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO message_status_count_slots (status, slot, n)
            SELECT status, pg_backend_pid(), -COUNT(*) FROM old_rows GROUP BY status
            ON CONFLICT (status, slot) DO UPDATE SET n = message_status_count_slots.n + EXCLUDED.n;
        ELSE
          INSERT INTO message_status_count_slots (status, slot, n)
            SELECT status, pg_backend_pid(), SUM(d) FROM (
              SELECT status, 1 AS d FROM new_rows
              UNION ALL
              SELECT status, -1 AS d FROM old_rows
            ) AS moved GROUP BY status HAVING SUM(d) <> 0
            ON CONFLICT (status, slot) DO UPDATE SET n = message_status_count_slots.n + EXCLUDED.n;
        END IF;
        RETURN NULL;
      END
      $$;
      DROP TRIGGER message_status_counts_insert_delete ON messages;
      DROP TRIGGER message_status_counts_update ON messages;
      DROP FUNCTION message_status_counts_bump();
      CREATE TRIGGER message_status_counts_inserted AFTER INSERT ON messages
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION message_status_counts_apply();
      CREATE TRIGGER message_status_counts_deleted AFTER DELETE ON messages
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION message_status_counts_apply();
      -- Transition tables rule out a column list (UPDATE OF status): every UPDATE fires it,
      -- and rows whose status did not change cancel out.
      CREATE TRIGGER message_status_counts_updated AFTER UPDATE ON messages
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION message_status_counts_apply();
    `,
  },
];
