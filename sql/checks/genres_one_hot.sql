-- genres_one_hot: each movie's one-hot genre columns agree with its genre list: a column is
-- true exactly when the list names its genre, and no_genres exactly when the list is empty.
-- dataset: movies
-- returns one row per disagreement: movie_id, genres, the column, its value, the value the
-- list implies
with

columns (genre, column_name) as (
    values
        ('Action', 'action'), ('Adventure', 'adventure'), ('Animation', 'animation'),
        ('Children', 'children'), ('Comedy', 'comedy'), ('Crime', 'crime'),
        ('Documentary', 'documentary'), ('Drama', 'drama'), ('Fantasy', 'fantasy'),
        ('Film-Noir', 'film_noir'), ('Horror', 'horror'), ('IMAX', 'imax'),
        ('Musical', 'musical'), ('Mystery', 'mystery'), ('Romance', 'romance'),
        ('Sci-Fi', 'sci_fi'), ('Thriller', 'thriller'), ('War', 'war'), ('Western', 'western'),
        (null, 'no_genres')
),

flags as (
    -- the one-hot columns as (movie_id, column_name, value) rows
    select m.movie_id, m.genres, f.column_name, f.value
    from {{current}}.movies as m
    cross join lateral (
        values
            ('action', m.action), ('adventure', m.adventure), ('animation', m.animation),
            ('children', m.children), ('comedy', m.comedy), ('crime', m.crime),
            ('documentary', m.documentary), ('drama', m.drama), ('fantasy', m.fantasy),
            ('film_noir', m.film_noir), ('horror', m.horror), ('imax', m.imax),
            ('musical', m.musical), ('mystery', m.mystery), ('romance', m.romance),
            ('sci_fi', m.sci_fi), ('thriller', m.thriller), ('war', m.war), ('western', m.western),
            ('no_genres', m.no_genres)
    ) as f (column_name, value)
),

compared as (
    select
        flags.movie_id,
        flags.genres,
        flags.column_name,
        flags.value,
        case
            when c.genre is null then cardinality(flags.genres) = 0
            else c.genre = any (flags.genres)
        end as expected
    from flags
    join columns as c on c.column_name = flags.column_name
)

select * from compared
where value is distinct from expected
order by movie_id, column_name
