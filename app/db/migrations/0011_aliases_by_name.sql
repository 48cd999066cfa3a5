-- "Every version called production": the catalog's alias filter starts from the alias name.
create index aliases_by_name on aliases (alias, version_id);
