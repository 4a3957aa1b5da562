"""The manager's pages: /manager (overview), /manager/pools, /manager/pools/<pool_id>."""
