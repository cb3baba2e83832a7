SELECT code FROM themes
