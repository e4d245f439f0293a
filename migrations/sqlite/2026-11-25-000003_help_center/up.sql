-- Help center: articles in Chinese and English by category, with a trigram
-- full-text index so searches find Chinese substrings (SQLite FTS5; the
-- PostgreSQL backend would use pg_trgm instead).

CREATE TABLE help_articles (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL CHECK (category IN ('payments', 'orders', 'account')),
    position INTEGER NOT NULL DEFAULT 0,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL
);
CREATE INDEX help_articles_category ON help_articles (category, position);

CREATE VIRTUAL TABLE help_articles_fts USING fts5(
    title_zh, body_zh, title_en, body_en,
    content = 'help_articles', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER help_articles_ai AFTER INSERT ON help_articles BEGIN
    INSERT INTO help_articles_fts (rowid, title_zh, body_zh, title_en, body_en)
    VALUES (new.id, new.title_zh, new.body_zh, new.title_en, new.body_en);
END;
CREATE TRIGGER help_articles_ad AFTER DELETE ON help_articles BEGIN
    INSERT INTO help_articles_fts (help_articles_fts, rowid, title_zh, body_zh, title_en, body_en)
    VALUES ('delete', old.id, old.title_zh, old.body_zh, old.title_en, old.body_en);
END;
CREATE TRIGGER help_articles_au AFTER UPDATE ON help_articles BEGIN
    INSERT INTO help_articles_fts (help_articles_fts, rowid, title_zh, body_zh, title_en, body_en)
    VALUES ('delete', old.id, old.title_zh, old.body_zh, old.title_en, old.body_en);
    INSERT INTO help_articles_fts (rowid, title_zh, body_zh, title_en, body_en)
    VALUES (new.id, new.title_zh, new.body_zh, new.title_en, new.body_en);
END;
