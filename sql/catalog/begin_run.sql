-- begin_run: records a run as it starts; returns its run_id.
-- $1 command, $2 pipeline file, $3 pipeline sha256, $4 lens version, $5 source
insert into {{catalog}}.runs (command, pipeline_file, pipeline_sha256, lens_version, source)
values ($1, $2, $3, $4, $5)
returning run_id;
