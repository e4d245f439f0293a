DROP TRIGGER help_articles_au;
DROP TRIGGER help_articles_ad;
DROP TRIGGER help_articles_ai;
DROP TABLE help_articles_fts;
DROP TABLE help_articles;
