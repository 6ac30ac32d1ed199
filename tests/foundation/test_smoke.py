def test_login_page_answers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
