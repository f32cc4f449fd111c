"""Streamlit widgets and charts for streamlit_app.py (the only package that imports streamlit)."""
