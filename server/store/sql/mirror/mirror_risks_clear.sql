DELETE FROM mirror_risks WHERE peer = $1
