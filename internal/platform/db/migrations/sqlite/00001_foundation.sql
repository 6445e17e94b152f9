-- +goose Up
-- Small key/value facts about this installation (for example whether demo data was loaded).
CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Ecuador's provinces and cantons (INEC DPA), loaded from the embedded reference data at
-- start so SQL can join statistics to populations.
CREATE TABLE geo_provinces (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region     TEXT NOT NULL,
    population INTEGER NOT NULL
);

CREATE TABLE geo_cantons (
    code          TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES geo_provinces(code),
    name          TEXT NOT NULL,
    population    INTEGER NOT NULL,
    area_km2      REAL NOT NULL
);
CREATE INDEX geo_cantons_province ON geo_cantons(province_code);

-- +goose Down
DROP TABLE geo_cantons;
DROP TABLE geo_provinces;
DROP TABLE app_meta;
