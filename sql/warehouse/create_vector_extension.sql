-- create_vector_extension: installs pgvector in this database (in the first schema of the
-- search_path, normally public) when the server has it and it is not installed yet. Needs a
-- superuser (or a role pgvector's control file trusts); when refused, the load goes on without
-- embedding_vector and says so in the run's warnings.
create extension if not exists vector;
