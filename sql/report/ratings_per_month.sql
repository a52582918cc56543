-- ratings_per_month: monthly rating counts by split.
select to_char(month, 'YYYY-MM') as month, n_ratings, n_train, n_test, n_buffer
from {{current}}.ratings_per_month
order by month
