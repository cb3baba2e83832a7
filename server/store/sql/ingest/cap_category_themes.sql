SELECT cap_category, theme FROM cap_category_themes
