"""The municipality registry: Destatis GV100AD import, names, Länder and Kreise."""
