import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { type Principal, userIdOf } from '../users/principal.js';
import { Authenticated, Public } from './access.decorators.js';
import { AuthService, TokenPair } from './auth.service.js';
import { CurrentUser } from './current-user.decorator.js';
import { LoginDto, MeDto, RefreshTokenDto, TokenPairDto } from './dto/auth.dto.js';
import { LoginThrottleGuard } from './login-throttle.guard.js';

@ApiTags('auth')
@ApiBadRequestResponse({ type: ProblemDetails })
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly loginThrottle: LoginThrottleGuard,
  ) {}

  @Post('token')
  @Public()
  @UseGuards(LoginThrottleGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'createToken',
    summary: 'Sign in: a token pair for a username and password',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    type: ProblemDetails,
    description: 'Unknown user or wrong password (same body)',
  })
  async token(@Body() body: LoginDto): Promise<TokenPairDto> {
    const pair = await this.auth.login(body.username, body.password);
    await this.loginThrottle.succeeded(body.username);
    return toDto(pair);
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'refreshToken',
    summary: 'A new token pair for a refresh token (which stops working)',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    type: ProblemDetails,
    description: 'Invalid, expired, revoked or reused token',
  })
  async refresh(@Body() body: RefreshTokenDto): Promise<TokenPairDto> {
    return toDto(await this.auth.refresh(body.refresh_token));
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'logout',
    summary: 'Sign out: revoke a refresh token and its family',
  })
  @ApiNoContentResponse({ description: 'The refresh token and its family are revoked' })
  async logout(@CurrentUser() user: Principal, @Body() body: RefreshTokenDto): Promise<void> {
    await this.auth.logout(user, body.refresh_token);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The signed-in user' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() user: Principal): MeDto {
    return { id: userIdOf(user), username: user.username, groups: user.groups };
  }
}

function toDto(pair: TokenPair): TokenPairDto {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: 'Bearer',
    expires_in: pair.expiresIn,
  };
}
