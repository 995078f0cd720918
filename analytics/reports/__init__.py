"""Page-shaped figures and exports: wires the store to the pipelines and collects at the edge."""
