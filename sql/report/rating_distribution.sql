-- rating_distribution: the rating histogram by split.
select rating, n_ratings, n_train, n_test, n_buffer
from {{current}}.rating_distribution
order by rating
