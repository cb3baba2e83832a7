-- 0013: subscriptions with webhooks (docs/exchange.md, "Subscriptions"). The leader reads the
-- change log from one shared cursor, matches every subscription's filter and enqueues a delivery
-- per match, cursor and deliveries in one fenced transaction; it then POSTs due deliveries,
-- per subscription in cursor order, retrying with backoff until `subscriptions.max_attempts`
-- (then `dead`: listed and re-queueable).

CREATE TABLE subscriptions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner           text NOT NULL REFERENCES partners (name),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url               text NOT NULL,
    filter            jsonb NOT NULL,   -- vik.v1.ChangeFilter, protobuf JSON
    secret            text NOT NULL,    -- the HMAC-SHA256 key; shown once at creation, never logged
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_delivered_at timestamptz,
    last_error        text,
    last_error_at     timestamptz,
    UNIQUE (partner, name)
);

-- The delivery job's position in the change log (one for all subscriptions). Starts where the
-- schema was created: subscriptions receive changes from their creation on (created_at).
CREATE TABLE subscription_cursor (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    xid         xid8 NOT NULL,
    seq         bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO subscription_cursor (xid, seq) VALUES (pg_current_xact_id(), 0);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),  -- Vik-Delivery-Id
    subscription     uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    change_xid       xid8 NOT NULL,
    change_seq       bigint NOT NULL,
    change_at        timestamptz NOT NULL,
    kind             text NOT NULL,
    object           text NOT NULL,
    body             text NOT NULL,     -- the Change as protobuf JSON, as read when enqueued
    state            text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,       -- when delivered or declared dead
    UNIQUE (subscription, change_xid, change_seq)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (subscription, change_xid, change_seq)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE state <> 'pending';
