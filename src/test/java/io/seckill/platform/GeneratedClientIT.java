package io.seckill.platform;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.seckill.client.ApiClient;
import io.seckill.client.ApiException;
import io.seckill.client.api.ShopApi;
import io.seckill.client.model.Credentials;
import io.seckill.client.model.ErrorBody;
import io.seckill.client.model.LoginAttempt;
import io.seckill.client.model.PurchaseQueued;
import io.seckill.client.model.PurchaseState;
import io.seckill.client.model.TokenView;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client generated from docs/openapi.json at build time (OpenAPI Generator, Java,
 * java.net.http) buys one unit as a shopper's app would, and reads a refusal by its code:
 * the document is good enough to build a working client from.
 */
class GeneratedClientIT extends IntegrationTest {

	@Test
	void aGeneratedClientBuysOnceAndReadsTheRefusalOfASecondPurchaseByItsCode() throws Exception {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String name = Api.uniqueName("client");
		ShopApi anonymous = new ShopApi(client(null));
		anonymous.register(new Credentials().username(name).password("password123"));
		String accessToken = anonymous.logIn(new LoginAttempt().username(name).password("password123")).getToken();
		ShopApi shop = new ShopApi(client(accessToken));

		TokenView token = shop.purchaseToken(sale.id(), sale.item(), null);
		PurchaseQueued queued = shop.purchase(sale.id(), sale.item(), token.getToken(), "generated-client-1");
		assertThat(queued.getStatus()).isEqualTo(PurchaseQueued.StatusEnum.QUEUED);
		PurchaseState state = await().atMost(Duration.ofSeconds(20))
			.until(() -> shop.ticket(queued.getTicket()),
					(current) -> current.getStatus() != PurchaseState.StatusEnum.QUEUED);
		assertThat(state.getStatus()).isEqualTo(PurchaseState.StatusEnum.SUCCESS);
		assertThat(state.getOrderId()).isPositive();
		assertThat(shop.myOrders()).singleElement().satisfies((order) -> {
			assertThat(order.getId()).isEqualTo(state.getOrderId());
			assertThat(order.getTicket()).isEqualTo(queued.getTicket());
		});

		TokenView second = shop.purchaseToken(sale.id(), sale.item(), null);
		ApiException refused = catchThrowableOfType(ApiException.class,
				() -> shop.purchase(sale.id(), sale.item(), second.getToken(), null));
		ErrorBody body = new ObjectMapper().findAndRegisterModules()
			.readValue(refused.getResponseBody(), ErrorBody.class);
		assertThat(refused.getCode()).isEqualTo(409);
		assertThat(body.getCode()).isEqualTo(ErrorBody.CodeEnum.LIMIT_REACHED);
		assertThat(body.getMessageZh()).isNotBlank();
	}

	private ApiClient client(String accessToken) {
		ApiClient client = new ApiClient();
		client.updateBaseUri("http://127.0.0.1:" + this.port);
		if (accessToken != null) {
			client.setRequestInterceptor((request) -> request.header("Authorization", "Bearer " + accessToken));
		}
		return client;
	}

}
