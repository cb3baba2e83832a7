DELETE FROM mirror_region_states WHERE peer = $1
