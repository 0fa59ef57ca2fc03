-- The poll's record for its result sheet: where it was held and who chaired (主持人), scrutinised
-- (监票人) and counted (计票人). Names only, entered by the administrator; several scrutineers or
-- tellers are kept one name a line, each signs on a line of their own.
ALTER TABLE polls ADD COLUMN place TEXT NOT NULL DEFAULT '' CHECK (length(place) <= 200);
ALTER TABLE polls ADD COLUMN chair_name TEXT NOT NULL DEFAULT '' CHECK (length(chair_name) <= 100);
ALTER TABLE polls ADD COLUMN scrutineer_names TEXT NOT NULL DEFAULT '' CHECK (length(scrutineer_names) <= 1000);
ALTER TABLE polls ADD COLUMN teller_names TEXT NOT NULL DEFAULT '' CHECK (length(teller_names) <= 1000);
