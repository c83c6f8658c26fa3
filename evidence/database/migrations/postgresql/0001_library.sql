-- The library's system of record when several servers share it. The bundled corpus ships
-- with every server as files; what changes at run time lives here: each import (the file
-- itself, who and when), the studies and passages it added, their vectors (keyed by the
-- model and the text's embedding-cache key, so no server embeds a text twice), and the
-- library's generation, which every committed import raises by one.
CREATE TABLE library_state (
    id integer PRIMARY KEY CHECK (id = 1),
    database_id uuid NOT NULL DEFAULT gen_random_uuid(),
    generation bigint NOT NULL DEFAULT 0
);
INSERT INTO library_state (id) VALUES (1);
CREATE TABLE imports (
    id bigserial PRIMARY KEY,
    generation bigint NOT NULL,
    name text NOT NULL,
    data bytea NOT NULL,
    sha256 text NOT NULL,
    imported_by text NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_generation ON imports (generation);
CREATE TABLE studies (
    key text PRIMARY KEY,
    generation bigint NOT NULL,
    data jsonb NOT NULL
);
CREATE TABLE passages (
    id text PRIMARY KEY,
    study_key text NOT NULL,
    generation bigint NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX passages_study ON passages (study_key);
CREATE TABLE vectors (
    model text NOT NULL,
    text_key text NOT NULL,
    vector bytea NOT NULL,
    PRIMARY KEY (model, text_key)
);
