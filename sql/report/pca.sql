-- pca: explained variance ratio per genome PCA component (no rows without a genome).
select component, explained_variance_ratio
from {{current}}.genome_pca
order by component
