-- 0007: CAP feeds polled by the leader. A feed's configuration and its polling state share a row;
-- every entry version ingested (or found already stored) is marked in cap_feed_entries in the same
-- transaction as the CAP message, under the leader's fence, so a failover neither skips nor
-- re-ingests entries.

CREATE TABLE cap_feeds (
    name                text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    url                 text NOT NULL CHECK (url ~ '^https?://'),
    partner             text NOT NULL REFERENCES partners (name),
    poll_interval       interval NOT NULL CHECK (poll_interval >= interval '1 second'),
    enabled             boolean NOT NULL DEFAULT true,
    -- hosts whose entry links are fetched besides the feed's own origin (scheme, host and port);
    -- exact host names or "*.domain" (vikd feed add --allow-hosts)
    allow_hosts         text[] NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- polling state (written by the leader, fenced)
    etag                text,
    last_modified       text,                  -- the Last-Modified header as received
    last_attempt_at     timestamptz,
    last_success_at     timestamptz,
    last_error          text,
    consecutive_errors  integer NOT NULL DEFAULT 0,
    next_poll_at        timestamptz NOT NULL DEFAULT now(),
    entries_seen        bigint NOT NULL DEFAULT 0   -- entry versions marked so far
);

CREATE TABLE cap_feed_entries (
    feed            text NOT NULL REFERENCES cap_feeds (name) ON DELETE CASCADE,
    entry_key       text NOT NULL,          -- the entry's id and <updated>: one version of an entry
    entry_id        text NOT NULL,
    cap_message_id  uuid REFERENCES cap_messages (id),  -- null when the entry was refused
    outcome         text NOT NULL,          -- accepted, duplicate, refused
    detail          text,                   -- why it was refused
    seen_at         timestamptz NOT NULL DEFAULT now(),
    seen_by         text NOT NULL,          -- node id of the leader that marked it
    PRIMARY KEY (feed, entry_key)
);

-- Failed fetches of an entry's link, counted until the entry is marked: after feeds.max_link_attempts
-- the entry is marked "refused" (with the last error) and this row goes. Rows of marked entries and
-- of entries not tried for 30 days are pruned by successful polls.
CREATE TABLE cap_feed_attempts (
    feed            text NOT NULL REFERENCES cap_feeds (name) ON DELETE CASCADE,
    entry_key       text NOT NULL,
    attempts        integer NOT NULL,
    last_error      text NOT NULL,
    last_attempt_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feed, entry_key)
);
