-- Projects: named, shared collections of passages and studies with notes, a proposal
-- draft's choices and a citation style. Every change raises the project's version and is
-- recorded with who made it and when. Access is by token (only its sha256 is stored).
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    style TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    proposal TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE project_items (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (project_id, item)
);
CREATE TABLE project_changes (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    field TEXT NOT NULL,
    summary TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (project_id, version, field)
);
CREATE TABLE project_tokens (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    rights TEXT NOT NULL CHECK (rights IN ('read', 'edit')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX project_tokens_project ON project_tokens (project_id);
