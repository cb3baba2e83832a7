SELECT gm_code FROM municipalities WHERE region_code = $1
