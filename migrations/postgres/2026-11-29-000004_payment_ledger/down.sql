DROP TABLE pending_replacements;
DROP TABLE sandbox_gateway;
DROP TABLE payments;
