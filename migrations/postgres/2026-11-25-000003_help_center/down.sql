DROP TABLE help_articles;
